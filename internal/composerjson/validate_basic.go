package composerjson

import (
	"regexp"
	"strings"
	"time"
)

func (c *checker) checkDuplicates() {
	for _, key := range c.m.dups {
		c.warnf(key, "key appears more than once; only the last value is used")
	}
}

func (c *checker) checkName() {
	if strings.TrimSpace(c.m.name) == "" {
		c.errorf("name", "must be present")
		return
	}
	if err := CheckName(c.m.name); err != nil {
		c.errorf("name", "%s", strings.TrimPrefix(err.Error(), ErrInvalidName.Error()+": "))
	}
}

// checkDescription: Packagist refuses to publish without a description.
func (c *checker) checkDescription() {
	if strings.TrimSpace(c.m.description) == "" {
		c.warnf("description", "no description; add a one-line summary of the package")
	}
}

// versionPattern is the "version" pattern of composer-schema.json.
var versionPattern = regexp.MustCompile(`^[vV]?\d+(?:[.-]\d+){0,3}[._-]?(?:(?:[sS][tT][aA][bB][lL][eE]|[bB][eE][tT][aA]|[bB]|[rR][cC]|[aA][lL][pP][hH][aA]|[aA]|[pP][aA][tT][cC][hH]|[pP][lL]|[pP])(?:(?:[.-]?\d+)*)?)?(?:[.-]?[dD][eE][vV]|\.x-dev)?(?:\+.*)?$|^dev-.*$`)

// checkVersion: versions normally come from tags, and a stale "version"
// field contradicts them, so Composer recommends leaving it out.
func (c *checker) checkVersion() {
	v, ok := c.m.Version()
	if !ok {
		return
	}
	const advice = "use a version such as 1.2.3, or better, leave the field out"
	switch {
	case c.opts.CheckVersion != nil:
		if err := c.opts.CheckVersion(v); err != nil {
			c.errorf("version", "invalid version %q: %v; %s", v, err, advice)
			return
		}
	case !versionPattern.MatchString(v):
		c.warnf("version", "invalid version %q; %s", v, advice)
		return
	}
	c.warnf("version", "the version field is present; it is recommended to leave it out and let tags define versions")
}

var typePattern = regexp.MustCompile(`^[a-z0-9-]+$`)

func (c *checker) checkType() {
	t := c.m.typ
	if strings.TrimSpace(t) == "" {
		return
	}
	if !typePattern.MatchString(t) {
		c.warnf("type", "invalid value %q; a type may contain only a-z, 0-9 and -", t)
	}
	if t == "composer-installer" {
		c.warnf("type", "the package type 'composer-installer' is deprecated; distribute custom installers as plugins instead")
	}
}

// keywordPattern is ValidatingArrayLoader's keyword rule.
var keywordPattern = regexp.MustCompile(`^[\p{N}\p{L} ._-]+\n?$`)

func (c *checker) checkKeywords() {
	for i, k := range c.m.keywords {
		if !keywordPattern.MatchString(k) {
			c.warnf(indexField("keywords", i), "invalid keyword %q; use letters, digits, spaces, ., _ and -", k)
		}
	}
}

func (c *checker) checkHomepage() {
	if h := c.m.homepage; h != "" && !validURL(h, "http", "https") {
		c.warnf("homepage", "invalid value %q; must be an http or https URL", h)
	}
}

func (c *checker) checkReadme() {
	if c.m.readme == "" || c.opts.PathExists == nil {
		return
	}
	if p, ok := packagePath(c.m.readme); ok && p != "" && !c.opts.PathExists(p) {
		c.warnf("readme", "file %q does not exist in the package", c.m.readme)
	}
}

// timeLayouts are the forms composer-schema.json documents plus common
// RFC 3339 variants. PHP's DateTime reads far more, hence only a warning.
var timeLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05-0700",
	time.RFC3339Nano,
}

func (c *checker) checkTime() {
	t := c.m.time
	if t == "" {
		return
	}
	for _, layout := range timeLayouts {
		if _, err := time.Parse(layout, t); err == nil {
			return
		}
	}
	c.warnf("time", "cannot read date %q; use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or an RFC 3339 date", t)
}

// stabilities are the values composer-schema.json allows.
var stabilities = []string{"dev", "alpha", "beta", "rc", "RC", "stable"}

func (c *checker) checkMinimumStability() {
	s := c.m.minimumStability
	if s == "" {
		return
	}
	for _, v := range stabilities {
		if s == v {
			return
		}
	}
	for _, v := range stabilities {
		if equalFoldASCII(s, v) {
			c.warnf("minimum-stability", "write %q as %q", s, v)
			return
		}
	}
	c.errorf("minimum-stability", "invalid value %q; must be one of stable, RC, beta, alpha, dev", s)
}

// checkTargetDir: target-dir is a PSR-0 era setting that Composer refuses to
// combine with PSR-4.
func (c *checker) checkTargetDir() {
	if strings.TrimSpace(c.m.targetDir) != "" && c.m.autoload.PSR4 != nil {
		c.errorf("target-dir", "cannot be used together with autoload.psr-4; remove target-dir")
	}
}
