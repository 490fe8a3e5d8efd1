package composerjson

import (
	"regexp"
	"strings"
)

// linkNameChars is the character set Composer allows in linked package names.
var linkNameChars = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)

// checkLinks follows ValidatingArrayLoader for require, require-dev,
// conflict, replace and provide, and ConfigValidator's cross-section advice.
func (c *checker) checkLinks() {
	for _, linkType := range linkTypes {
		links := c.m.links[linkType]
		for _, pkg := range sortedKeys(links) {
			c.checkLink(linkType, pkg, links[pkg])
		}
	}
	c.checkLinkOverlaps()
}

func (c *checker) checkLink(linkType, pkg, constraint string) {
	field := linkType + "." + pkg
	if c.m.name != "" && equalFoldASCII(pkg, c.m.name) {
		c.errorf(field, "a package cannot set a %s on itself", linkType)
		return
	}
	// A badly formed name can never resolve but Composer only warns about it;
	// characters outside its link character set are an error.
	switch {
	case !linkNameChars.MatchString(pkg):
		c.errorf(field, "invalid package name %q; names may contain only A-Z, a-z, 0-9, _, ., / and -", pkg)
	case IsPlatformPackage(pkg):
	default:
		if err := CheckName(pkg); err != nil {
			c.warnf(field, "%s", strings.TrimPrefix(err.Error(), ErrInvalidName.Error()+": "))
		}
	}
	if constraint != "self.version" && c.opts.CheckConstraint != nil {
		if err := c.opts.CheckConstraint(constraint); err != nil {
			c.errorf(field, "invalid version constraint %q: %v", constraint, err)
		}
	}
	if (linkType == "require" || linkType == "require-dev") && strings.Contains(constraint, "#") {
		c.warnf(field, "the constraint %q points to a commit reference; this is bad practice and can cause unforeseen issues", constraint)
	}
	if linkType == "conflict" {
		if _, replaced := c.m.links["replace"][pkg]; replaced {
			c.errorf(field, "you cannot conflict with a package that is also replaced; replace already implies the conflict")
		}
	}
}

// checkLinkOverlaps reports packages listed in sections that contradict or
// cancel each other.
func (c *checker) checkLinkOverlaps() {
	require, requireDev := c.m.links["require"], c.m.links["require-dev"]
	var both []string
	for _, pkg := range sortedKeys(require) {
		if _, ok := requireDev[pkg]; ok {
			both = append(both, pkg)
		}
	}
	if len(both) > 0 {
		c.warnf("require-dev", "%s required both in require and require-dev; this can lead to unexpected behavior", strings.Join(both, ", "))
	}
	for _, linkType := range []string{"provide", "replace"} {
		for _, requireType := range []string{"require", "require-dev"} {
			for _, pkg := range sortedKeys(c.m.links[linkType]) {
				if _, ok := c.m.links[requireType][pkg]; ok {
					c.warnf(linkType+"."+pkg, "%s in %s is also listed in %s, which satisfies the requirement; remove it from %s if you want it installed", pkg, requireType, linkType, linkType)
				}
			}
		}
	}
}
