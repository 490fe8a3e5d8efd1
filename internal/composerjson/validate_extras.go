package composerjson

import (
	"strings"
)

// checkBin: a ".." segment lets a dependency chmod or link an arbitrary host
// file at install time, so Composer refuses it; a missing binary is only
// skipped by Composer, hence a warning.
func (c *checker) checkBin() {
	for i, b := range c.m.bin {
		field := indexField("bin", i)
		if hasDotDotSegment(b) {
			c.errorf(field, "invalid value %q; must not contain a \"..\" path segment", b)
			continue
		}
		if c.opts.PathExists != nil {
			c.checkPath(false, field, b)
		}
	}
}

// checkBranchAlias checks extra.branch-alias, which Composer uses to give a
// branch a version: targets must be strings ending in -dev.
func (c *checker) checkBranchAlias() {
	if c.m.extra == nil || kindOf(c.m.extra) != kindObject {
		return
	}
	extra, _ := decodeObject(c.m.extra)
	raw, ok := extra["branch-alias"]
	if !ok || kindOf(raw) == kindNull {
		return
	}
	aliases, problem := decodeObject(raw)
	if problem != "" {
		c.errorf("extra.branch-alias", "must be an object of branch: alias")
		return
	}
	for _, branch := range sortedKeys(aliases) {
		field := "extra.branch-alias." + branch
		target, problem := decodeString(aliases[branch])
		switch {
		case problem != "":
			c.warnf(field, "the alias must be a string, %s", problem)
		case !strings.HasSuffix(target, "-dev"):
			c.warnf(field, "the alias %q must end in -dev", target)
		}
	}
}

// checkScriptReferences: descriptions and aliases of scripts that do not
// exist are usually typos.
func (c *checker) checkScriptReferences() {
	var scripts map[string]bool
	if raw, ok := c.m.present("scripts"); ok {
		members, _ := decodeObject(raw)
		scripts = make(map[string]bool, len(members))
		for k := range members {
			scripts[k] = true
		}
	}
	for _, key := range []string{"scripts-descriptions", "scripts-aliases"} {
		raw, ok := c.m.present(key)
		if !ok {
			continue
		}
		members, problem := decodeObject(raw)
		if problem != "" {
			c.warnf(key, "must be an object keyed by script name, %s", problem)
			continue
		}
		for _, name := range sortedKeys(members) {
			if !scripts[name] {
				c.warnf(key+"."+name, "refers to script %q, which is not defined in \"scripts\"", name)
			}
		}
	}
}
