package composerjson

import (
	"strings"
)

// checkAutoload applies Composer's autoload rules. Problems in autoload-dev
// are only warnings: it is never used when the package is installed as a
// dependency, so it cannot break consumers. File existence is checked for
// autoload only, since dev paths (tests/) are commonly left out of archives.
func (c *checker) checkAutoload(section string, a Autoload) {
	severe := section == "autoload"
	for _, rule := range a.unknown {
		c.issuef(severe, section, "unknown autoload type %q; must be one of %s", rule, strings.Join(autoloadRules, ", "))
	}
	for _, ns := range sortedKeys(a.PSR4) {
		if ns != "" && !strings.HasSuffix(ns, `\`) {
			c.issuef(severe, section+".psr-4", `namespace %q must end with a namespace separator; use %q`, ns, ns+`\`)
		}
	}
	if _, ok := a.PSR0[""]; ok && severe {
		c.warnf(section+".psr-0", "an empty namespace prefix is a bad idea for performance")
	}
	if _, ok := a.PSR4[""]; ok && severe {
		c.warnf(section+".psr-4", "an empty namespace prefix is a bad idea for performance")
	}
	if !severe || c.opts.PathExists == nil {
		return
	}
	// A missing PSR directory just loads nothing; a missing classmap entry
	// breaks dump-autoload and a missing "files" entry is a fatal error on
	// every request, so those are errors.
	for _, rule := range []string{"psr-4", "psr-0"} {
		m := a.PSR4
		if rule == "psr-0" {
			m = a.PSR0
		}
		for _, ns := range sortedKeys(m) {
			for _, p := range m[ns] {
				c.checkPath(false, section+"."+rule+"."+ns, p)
			}
		}
	}
	for i, p := range a.Classmap {
		c.checkPath(true, indexField(section+".classmap", i), p)
	}
	for i, p := range a.Files {
		c.checkPath(true, indexField(section+".files", i), p)
	}
}

// checkPath reports p if it is outside the package or missing from it.
func (c *checker) checkPath(severe bool, field, p string) {
	if isGlob(p) {
		return
	}
	clean, ok := packagePath(p)
	switch {
	case !ok:
		c.issuef(severe, field, "path %q points outside the package", p)
	case clean != "" && !c.opts.PathExists(clean):
		c.issuef(severe, field, "path %q does not exist in the package", p)
	}
}
