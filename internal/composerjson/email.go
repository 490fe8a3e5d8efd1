package composerjson

import (
	"net/netip"
	"strings"
)

// validEmail follows PHP's FILTER_VALIDATE_EMAIL (which Composer uses for
// authors and support): a dot-separated local part of atoms or quoted
// strings, then a domain of at least two labels whose last label starts with
// a letter, or an [IPv4] / [IPv6:…] literal. No internationalised addresses.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	at, ok := scanLocalPart(s)
	if !ok || at > 64 {
		return false
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		return validAddressLiteral(domain[1 : len(domain)-1])
	}
	return validMailDomain(domain)
}

// scanLocalPart returns the index of the '@' ending a well-formed local part.
func scanLocalPart(s string) (int, bool) {
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				switch c := s[i]; {
				case c == '\\' && i+1 < len(s) && s[i+1] <= 0x7F:
					i += 2
				case isQuotedText(c):
					i++
				default:
					return 0, false
				}
			}
			if i >= len(s) {
				return 0, false
			}
			i++
		} else {
			start := i
			for i < len(s) && isAtomText(s[i]) {
				i++
			}
			if i == start {
				return 0, false
			}
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if i < len(s) && s[i] == '@' {
			return i, true
		}
		return 0, false
	}
}

// isAtomText is PHP's [\x21\x23-\x27\x2A\x2B\x2D\x2F-\x39\x3D\x3F\x5E-\x7E]
// under its /i flag, which adds A-Z.
func isAtomText(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x27 || c == 0x2A || c == 0x2B || c == 0x2D ||
		c >= 0x2F && c <= 0x39 || c == 0x3D || c == 0x3F || c >= 'A' && c <= 'Z' || c >= 0x5E && c <= 0x7E
}

// isQuotedText is PHP's [\x01-\x08\x0B\x0C\x0E-\x1F\x21\x23-\x5B\x5D-\x7F].
func isQuotedText(c byte) bool {
	return c >= 0x01 && c <= 0x08 || c == 0x0B || c == 0x0C || c >= 0x0E && c <= 0x1F ||
		c == 0x21 || c >= 0x23 && c <= 0x5B || c >= 0x5D && c <= 0x7F
}

func validMailDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) >= 64 || !isHostLabel(l) {
			return false
		}
	}
	last := labels[len(labels)-1]
	return last[0] >= 'a' && last[0] <= 'z' || last[0] >= 'A' && last[0] <= 'Z'
}

// isHostLabel matches [a-z0-9]+(-+[a-z0-9]+)*, ignoring case.
func isHostLabel(l string) bool {
	if l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func validAddressLiteral(lit string) bool {
	if rest, ok := cutPrefixFold(lit, "IPv6:"); ok {
		addr, err := netip.ParseAddr(rest)
		return err == nil && addr.Is6() && addr.Zone() == ""
	}
	addr, err := netip.ParseAddr(lit)
	return err == nil && addr.Is4()
}
