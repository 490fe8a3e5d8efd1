package graph

import "strings"

func trim(s string) string { return strings.TrimSpace(s) }

func trimPtr(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}
