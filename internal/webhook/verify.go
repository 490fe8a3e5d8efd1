package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Signature headers. GitHub and Bitbucket (Cloud and Data Center) sign the raw
// body with HMAC-SHA256 and send "sha256=<hex>"; GitLab sends the configured
// secret token itself.
const (
	HeaderGitHubSignature    = "X-Hub-Signature-256"
	HeaderGitLabToken        = "X-Gitlab-Token"
	HeaderBitbucketSignature = "X-Hub-Signature"
)

// Verification errors, for errors.Is. The handler answers 401 for all of them
// and records the delivery as rejected with the message.
var (
	// ErrMissingSignature: the provider's signature header is absent or empty
	// (for example a webhook configured without a secret).
	ErrMissingSignature = errors.New("webhook signature missing")
	// ErrBadSignature: the header is malformed (wrong prefix, not 64 hex
	// digits, sent twice) or matches none of the secrets.
	ErrBadSignature = errors.New("webhook signature invalid")
	// ErrNoSecrets: no non-empty secret was given, so nothing can be
	// verified; a delivery is never accepted unsigned.
	ErrNoSecrets = errors.New("no webhook secret configured")
)

// Verify checks a delivery's signature against each candidate secret (for
// example the matched packages' own secrets followed by the global one) and
// returns the index of the first secret that matches.
//
// Every non-empty secret is tried whatever the outcome, and comparisons are
// constant-time (GitLab tokens are compared through their SHA-256, so the
// token length does not leak either). Empty secrets are skipped: they must
// never authenticate a delivery that carries an empty token. GitHub's legacy
// SHA-1 header (X-Hub-Signature) is not accepted.
func Verify(provider Provider, header http.Header, body []byte, secrets [][]byte) (matchedIndex int, err error) {
	if err := provider.check(); err != nil {
		return -1, err
	}
	usable := 0
	for _, s := range secrets {
		if len(s) > 0 {
			usable++
		}
	}
	if usable == 0 {
		return -1, fmt.Errorf("%w for this %s webhook", ErrNoSecrets, provider)
	}

	switch provider {
	case GitLab:
		token, err := single(header, HeaderGitLabToken)
		if err != nil {
			return -1, err
		}
		return match(secrets, HeaderGitLabToken, func(secret []byte) bool {
			want := sha256.Sum256(secret)
			got := sha256.Sum256([]byte(token))
			return subtle.ConstantTimeCompare(want[:], got[:]) == 1
		})
	default:
		name := HeaderGitHubSignature
		if provider == Bitbucket {
			name = HeaderBitbucketSignature
		}
		value, err := single(header, name)
		if err != nil {
			if provider == GitHub && errors.Is(err, ErrMissingSignature) && header.Get("X-Hub-Signature") != "" {
				err = fmt.Errorf("%w: only the SHA-1 X-Hub-Signature header was sent; %s is required", ErrMissingSignature, HeaderGitHubSignature)
			}
			return -1, err
		}
		sig, err := parseSHA256(name, value)
		if err != nil {
			return -1, err
		}
		return match(secrets, name, func(secret []byte) bool {
			mac := hmac.New(sha256.New, secret)
			mac.Write(body)
			return hmac.Equal(mac.Sum(nil), sig)
		})
	}
}

// single returns the header's only value; a repeated header is ambiguous
// (which one did the provider send?) and so rejected.
func single(header http.Header, name string) (string, error) {
	values := header.Values(name)
	switch {
	case len(values) == 0 || (len(values) == 1 && values[0] == ""):
		return "", fmt.Errorf("%w: no %s header", ErrMissingSignature, name)
	case len(values) > 1:
		return "", fmt.Errorf("%w: %s header sent %d times", ErrBadSignature, name, len(values))
	}
	return values[0], nil
}

// parseSHA256 decodes "sha256=<64 hex digits>".
func parseSHA256(name, value string) ([]byte, error) {
	const prefix = "sha256="
	algo, digest, ok := strings.Cut(value, "=")
	if !ok || algo+"=" != prefix {
		return nil, fmt.Errorf("%w: %s must start with %q", ErrBadSignature, name, prefix)
	}
	if len(digest) != 2*sha256.Size {
		return nil, fmt.Errorf("%w: %s must hold %d hex digits, found %d characters", ErrBadSignature, name, 2*sha256.Size, len(digest))
	}
	sig, err := hex.DecodeString(digest)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hexadecimal", ErrBadSignature, name)
	}
	return sig, nil
}

// match runs ok over every non-empty secret, without stopping early, and
// returns the first index that matched.
func match(secrets [][]byte, name string, ok func(secret []byte) bool) (int, error) {
	matched := -1
	for i, s := range secrets {
		if len(s) == 0 {
			continue
		}
		if ok(s) && matched < 0 {
			matched = i
		}
	}
	if matched < 0 {
		return -1, fmt.Errorf("%w: %s matches no configured secret", ErrBadSignature, name)
	}
	return matched, nil
}
