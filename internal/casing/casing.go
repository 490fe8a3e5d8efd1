// Package casing converts between the REST API's snake_case keys and the
// GraphQL schema's camelCase names. GraphQL names come from ent, which spells
// known initialisms in capitals (external_id -> externalID), so both
// directions use ent's list of initialisms to stay exact inverses.
package casing

import (
	"strings"
	"unicode"
)

// initialisms is ent's list (entc/gen), the words it writes in capitals.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "AWS": true, "CPU": true, "CSS": true,
	"DNS": true, "EOF": true, "GB": true, "GUID": true, "HCL": true, "HTML": true,
	"HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "KB": true,
	"LHS": true, "MAC": true, "MB": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "SSO": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true,
	"URI": true, "URL": true, "UTF8": true, "UUID": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// Camel turns "external_id" into "externalID" and "package_ids" into
// "packageIDs", as ent names GraphQL fields.
func Camel(snake string) string {
	if !strings.Contains(snake, "_") {
		return snake
	}
	var b strings.Builder
	b.Grow(len(snake))
	for i, w := range strings.Split(snake, "_") {
		switch {
		case w == "":
			continue
		case i == 0:
			b.WriteString(strings.ToLower(w))
		case initialisms[strings.ToUpper(w)]:
			b.WriteString(strings.ToUpper(w))
		case len(w) > 1 && w[len(w)-1] == 's' && initialisms[strings.ToUpper(w[:len(w)-1])]:
			b.WriteString(strings.ToUpper(w[:len(w)-1]))
			b.WriteByte('s')
		default:
			b.WriteString(strings.ToUpper(w[:1]))
			b.WriteString(w[1:])
		}
	}
	return b.String()
}

// Snake turns "externalID" into "external_id" and "packageIDs" into
// "package_ids". Names without capitals are returned as they are.
func Snake(camel string) string {
	if !hasUpper(camel) {
		return camel
	}
	var b strings.Builder
	b.Grow(len(camel) + 4)
	r := []rune(camel)
	for i := 0; i < len(r); {
		if !unicode.IsUpper(r[i]) {
			b.WriteRune(r[i])
			i++
			continue
		}
		if i > 0 {
			b.WriteByte('_')
		}
		if n := initialismAt(r, i); n > 0 {
			b.WriteString(strings.ToLower(string(r[i : i+n])))
			i += n
			continue
		}
		b.WriteRune(unicode.ToLower(r[i]))
		i++
	}
	return b.String()
}

// initialismAt returns the length of the longest initialism (optionally
// followed by a plural "s") that starts at r[i] and ends a word.
func initialismAt(r []rune, i int) int {
	best := 0
	for n := 2; i+n <= len(r) && n <= 5; n++ {
		if !initialisms[string(r[i:i+n])] {
			continue
		}
		end := i + n
		switch {
		case end == len(r) || unicode.IsUpper(r[end]) || unicode.IsDigit(r[end]):
			best = n
		case r[end] == 's' && (end+1 == len(r) || unicode.IsUpper(r[end+1])):
			best = n + 1
		}
	}
	return best
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}
