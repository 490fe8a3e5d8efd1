package webhook

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Provider is a git hosting service that sends webhooks. The values are the
// ones stored in WebhookDelivery.provider (ent's webhookdelivery.Provider).
type Provider string

// The supported providers.
const (
	GitHub    Provider = "github"
	GitLab    Provider = "gitlab"
	Bitbucket Provider = "bitbucket"
)

// ErrUnknownProvider is returned for a Provider outside GitHub, GitLab and
// Bitbucket.
var ErrUnknownProvider = errors.New("unknown webhook provider")

// ParseProvider maps a route or enum value ("github", "GitLab", ...) to a
// Provider.
func ParseProvider(s string) (Provider, error) {
	p := Provider(strings.ToLower(strings.TrimSpace(s)))
	if err := p.check(); err != nil {
		return "", err
	}
	return p, nil
}

func (p Provider) check() error {
	switch p {
	case GitHub, GitLab, Bitbucket:
		return nil
	}
	return fmt.Errorf("%w %q (want github, gitlab or bitbucket)", ErrUnknownProvider, clip(string(p)))
}

// String returns the provider's enum value.
func (p Provider) String() string { return string(p) }

// clip shortens attacker-supplied text before it goes into an error message.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// MaxReasonLen bounds the reason stored with a rejected delivery: the
// caller may be anyone, so what it can make the server keep stays small.
const MaxReasonLen = 300

// ClipReason cuts s to at most MaxReasonLen bytes of valid UTF-8, on a
// rune boundary.
func ClipReason(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= MaxReasonLen {
		return s
	}
	n := MaxReasonLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
