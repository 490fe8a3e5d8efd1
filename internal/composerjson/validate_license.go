package composerjson

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// checkLicense follows ValidatingArrayLoader (validity) and ConfigValidator
// (missing and deprecated licenses). All findings are warnings, as in
// Composer: a wrong license does not stop a package from installing.
func (c *checker) checkLicense() {
	if len(c.m.license) == 0 {
		c.warnf("license", `no license specified; it is recommended to add one. For closed-source software you may use "proprietary"`)
		return
	}
	var deprecated []string
	for i, license := range c.m.license {
		field := "license"
		if len(c.m.license) > 1 {
			field = indexField("license", i)
		}
		if license == "proprietary" {
			continue
		}
		// "proprietary" is not SPDX but Composer accepts it inside expressions too.
		expr := strings.ReplaceAll(license, "proprietary", "MIT")
		ids, err := parseLicense(expr)
		if err != nil {
			if ValidLicense(phpTrim(expr)) {
				c.warnf(field, "license %q must not contain extra spaces; trim it", license)
			} else {
				c.warnf(field, "license %q is not a valid SPDX license identifier or expression (%s); see https://spdx.org/licenses/. If the software is closed-source, you may use \"proprietary\"", license, reason(err))
			}
			continue
		}
		for _, id := range ids {
			if l, ok := LookupLicense(id); ok && l.Deprecated && !slices.Contains(deprecated, id) {
				deprecated = append(deprecated, id)
				c.warnf(field, "%s", deprecationAdvice(id))
			}
		}
	}
}

var (
	gplPlus = regexp.MustCompile(`(?i)^[AL]?GPL-[123](\.[01])?\+$`)
	gplBare = regexp.MustCompile(`(?i)^[AL]?GPL-[123](\.[01])?$`)
)

// deprecationAdvice gives ConfigValidator's replacement hint for a deprecated id.
func deprecationAdvice(id string) string {
	switch {
	case gplPlus.MatchString(id):
		return fmt.Sprintf("license %q is a deprecated SPDX license identifier; use %q instead", id, strings.TrimSuffix(id, "+")+"-or-later")
	case gplBare.MatchString(id):
		return fmt.Sprintf("license %q is a deprecated SPDX license identifier; use %q or %q instead", id, id+"-only", id+"-or-later")
	}
	return fmt.Sprintf("license %q is a deprecated SPDX license identifier; see https://spdx.org/licenses/", id)
}

// phpTrim is PHP's trim(): it strips " \t\n\r\0\x0B" only.
func phpTrim(s string) string { return strings.Trim(s, " \t\n\r\x00\x0B") }

// reason extracts the explanation from a parseLicense error.
func reason(err error) string {
	var le *LicenseError
	if errors.As(err, &le) {
		return le.Reason
	}
	return err.Error()
}
