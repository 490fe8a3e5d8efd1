package semver

import (
	"math"
	"strconv"
	"strings"
)

// phpIncrement is PHP's "$digits + 1" on a string of decimal digits, as
// manipulateVersionString computes upper bounds: leading zeros vanish
// ("09" -> "10"), and past PHP_INT_MAX the sum is a float printed with
// precision 14 ("1.0E+20"), which composer then uses as a version number.
func phpIncrement(digits string) string {
	t := strings.TrimLeft(digits, "0")
	if len(t) < 19 || (len(t) == 19 && t < "9223372036854775807") {
		n, _ := strconv.ParseInt("0"+t, 10, 64)
		return strconv.FormatInt(n+1, 10)
	}
	f, _ := strconv.ParseFloat(digits, 64) // +Inf past float range, like PHP
	return phpFloatString(f + 1)
}

// phpFloatString converts a non-negative float to a string the way PHP does
// with precision=14 (zend_gcvt): 14 significant digits, trailing zeros
// dropped, exponent form "1.0E+20" when the exponent exceeds the precision.
func phpFloatString(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "INF"
	case math.IsNaN(f):
		return "NAN"
	case f == 0:
		return "0"
	}
	const precision = 14
	e := strconv.FormatFloat(f, 'e', precision-1, 64) // d.ddddddddddddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	decpt := exp + 1
	switch {
	case decpt > precision || decpt < -3:
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return digits[:1] + "." + frac + "E" + sign + strconv.Itoa(exp)
	case decpt <= 0:
		return "0." + strings.Repeat("0", -decpt) + digits
	case len(digits) <= decpt:
		return digits + strings.Repeat("0", decpt-len(digits))
	}
	return digits[:decpt] + "." + digits[decpt:]
}
