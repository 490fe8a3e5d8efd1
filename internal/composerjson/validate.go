package composerjson

import "fmt"

// ValidateOptions supplies the checks this package cannot do on its own.
type ValidateOptions struct {
	// CheckConstraint parses a version constraint such as "^1.2 || ~2.0",
	// returning an error when it is invalid. nil skips constraint checks
	// (this package does not depend on a constraint parser).
	CheckConstraint func(constraint string) error
	// CheckVersion normalizes a version string such as "1.2.3" or
	// "dev-main" the way Composer's VersionParser::normalize does, returning
	// an error when it cannot. nil falls back to composer-schema.json's
	// version pattern, which is close but not identical, so a mismatch is
	// then only a warning.
	CheckVersion func(version string) error
	// PathExists reports whether a path exists in the package. It receives a
	// cleaned, slash-separated path relative to the package root ("src",
	// "lib/helpers.php"), never an absolute path or one starting with "..".
	// nil skips file checks.
	PathExists func(path string) bool
}

// Issue is one finding; Field is the dotted path of the offending value
// ("require.foo/bar", "authors.0.email"), empty for document-wide findings.
type Issue struct {
	Field   string
	Message string
}

func (i Issue) String() string {
	if i.Field == "" {
		return i.Message
	}
	return i.Field + ": " + i.Message
}

// Report is the outcome of Validate. Errors are what Composer refuses to
// load (a registry should reject the version); Warnings are what
// `composer validate` advises against.
type Report struct {
	Errors   []Issue
	Warnings []Issue
}

// OK reports whether there are no errors (warnings are allowed).
func (r Report) OK() bool { return len(r.Errors) == 0 }

// Validate checks a parsed manifest the way `composer validate` does
// (ValidatingArrayLoader plus ConfigValidator), adding checks that need the
// package contents through opts. Findings come in a fixed order.
func Validate(m *Manifest, opts ValidateOptions) Report {
	if m == nil {
		return Report{Errors: []Issue{{Message: "no manifest"}}}
	}
	c := &checker{m: m, opts: opts}
	c.checkDuplicates()
	c.checkName()
	c.checkDescription()
	c.checkVersion()
	c.checkType()
	c.checkLicense()
	c.checkKeywords()
	c.checkHomepage()
	c.checkReadme()
	c.checkTime()
	c.checkAuthors()
	c.checkSupport()
	c.checkFunding()
	c.checkLinks()
	c.checkMinimumStability()
	c.checkAutoload("autoload", m.autoload)
	c.checkAutoload("autoload-dev", m.autoloadDev)
	c.checkTargetDir()
	c.checkBin()
	c.checkBranchAlias()
	c.checkScriptReferences()
	return c.r
}

// checker accumulates findings for one Validate call.
type checker struct {
	m    *Manifest
	opts ValidateOptions
	r    Report
}

func (c *checker) errorf(field, format string, args ...any) {
	c.r.Errors = append(c.r.Errors, Issue{field, fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(field, format string, args ...any) {
	c.r.Warnings = append(c.r.Warnings, Issue{field, fmt.Sprintf(format, args...)})
}

// issuef reports as an error or a warning depending on severe.
func (c *checker) issuef(severe bool, field, format string, args ...any) {
	if severe {
		c.errorf(field, format, args...)
	} else {
		c.warnf(field, format, args...)
	}
}
