package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// sign returns "sha256=<hex HMAC-SHA256(secret, body)>", as GitHub and
// Bitbucket send it.
func sign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func secrets(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, v := range s {
		if v != "" {
			out[i] = []byte(v)
		}
	}
	return out
}

func TestVerify(t *testing.T) {
	const body = `{"ref":"refs/heads/main"}`
	good := sign("s3cret", body)
	type tc struct {
		name    string
		header  http.Header
		body    string
		secrets [][]byte
		want    int
		err     error
	}
	// hmacCases are shared by GitHub and Bitbucket, which differ only in
	// the header name.
	hmacCases := func(h string) []tc {
		return []tc{
			{"valid", headers(h, good), body, secrets("s3cret"), 0, nil},
			{"uppercase hex", headers(h, "sha256="+strings.ToUpper(strings.TrimPrefix(good, "sha256="))), body, secrets("s3cret"), 0, nil},
			{"second of two secrets", headers(h, good), body, secrets("other", "s3cret"), 1, nil},
			{"first of two identical", headers(h, good), body, secrets("s3cret", "s3cret"), 0, nil},
			{"empty secret skipped", headers(h, good), body, secrets("", "s3cret"), 1, nil},
			{"wrong secret", headers(h, good), body, secrets("wrong"), -1, ErrBadSignature},
			{"tampered body", headers(h, good), body + " ", secrets("s3cret"), -1, ErrBadSignature},
			{"missing header", headers(), body, secrets("s3cret"), -1, ErrMissingSignature},
			{"empty header", headers(h, ""), body, secrets("s3cret"), -1, ErrMissingSignature},
			{"header twice", headers(h, good, h, good), body, secrets("s3cret"), -1, ErrBadSignature},
			{"wrong prefix sha1", headers(h, "sha1="+strings.TrimPrefix(good, "sha256=")), body, secrets("s3cret"), -1, ErrBadSignature},
			{"uppercase prefix", headers(h, "SHA256="+strings.TrimPrefix(good, "sha256=")), body, secrets("s3cret"), -1, ErrBadSignature},
			{"no prefix", headers(h, strings.TrimPrefix(good, "sha256=")), body, secrets("s3cret"), -1, ErrBadSignature},
			{"truncated hex", headers(h, good[:len(good)-2]), body, secrets("s3cret"), -1, ErrBadSignature},
			{"odd-length hex", headers(h, good[:len(good)-1]), body, secrets("s3cret"), -1, ErrBadSignature},
			{"too long", headers(h, good+"00"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"not hex", headers(h, "sha256="+strings.Repeat("zz", 32)), body, secrets("s3cret"), -1, ErrBadSignature},
			{"plain secret instead of HMAC", headers(h, "s3cret"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"no secrets", headers(h, good), body, nil, -1, ErrNoSecrets},
			{"only empty secrets", headers(h, good), body, secrets("", ""), -1, ErrNoSecrets},
		}
	}
	providers := map[Provider][]tc{
		GitHub: append(hmacCases(HeaderGitHubSignature),
			tc{"only legacy SHA-1 header", headers("X-Hub-Signature", "sha1=0123"), body, secrets("s3cret"), -1, ErrMissingSignature},
			tc{"bitbucket header name", headers(HeaderBitbucketSignature, good), body, secrets("s3cret"), -1, ErrMissingSignature},
		),
		Bitbucket: append(hmacCases(HeaderBitbucketSignature),
			tc{"github header name", headers(HeaderGitHubSignature, good), body, secrets("s3cret"), -1, ErrMissingSignature},
		),
		GitLab: {
			{"valid", headers(HeaderGitLabToken, "s3cret"), body, secrets("s3cret"), 0, nil},
			{"body is not signed", headers(HeaderGitLabToken, "s3cret"), "anything", secrets("s3cret"), 0, nil},
			{"second of two secrets", headers(HeaderGitLabToken, "s3cret"), body, secrets("other", "s3cret"), 1, nil},
			{"empty secret skipped", headers(HeaderGitLabToken, "s3cret"), body, secrets("", "s3cret"), 1, nil},
			{"wrong token", headers(HeaderGitLabToken, "wrong"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"prefix of secret", headers(HeaderGitLabToken, "s3cre"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"secret with suffix", headers(HeaderGitLabToken, "s3cret2"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"case differs", headers(HeaderGitLabToken, "S3CRET"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"HMAC instead of token", headers(HeaderGitLabToken, good), body, secrets("s3cret"), -1, ErrBadSignature},
			{"missing header", headers(), body, secrets("s3cret"), -1, ErrMissingSignature},
			{"empty token never matches empty secret", headers(HeaderGitLabToken, ""), body, secrets("", "s3cret"), -1, ErrMissingSignature},
			{"header twice", headers(HeaderGitLabToken, "s3cret", HeaderGitLabToken, "s3cret"), body, secrets("s3cret"), -1, ErrBadSignature},
			{"no secrets", headers(HeaderGitLabToken, "s3cret"), body, nil, -1, ErrNoSecrets},
		},
	}
	for provider, cases := range providers {
		for _, c := range cases {
			t.Run(string(provider)+"/"+c.name, func(t *testing.T) {
				got, err := Verify(provider, c.header, []byte(c.body), c.secrets)
				if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
					t.Fatalf("Verify = %d, %v; want %d, %v", got, err, c.want, c.err)
				}
			})
		}
	}
}

func TestVerifyUnknownProvider(t *testing.T) {
	_, err := Verify("gitea", headers(), nil, secrets("x"))
	if !errors.Is(err, ErrUnknownProvider) {
		t.Fatalf("err = %v, want ErrUnknownProvider", err)
	}
}

// TestVerifyMessages checks that errors say which header is wrong and never
// echo a secret.
func TestVerifyMessages(t *testing.T) {
	_, err := Verify(GitLab, headers(HeaderGitLabToken, "guess"), nil, secrets("topsecret"))
	if err == nil || strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), HeaderGitLabToken) {
		t.Fatalf("err = %v", err)
	}
	_, err = Verify(GitHub, headers("X-Hub-Signature", "sha1=00"), nil, secrets("x"))
	if err == nil || !strings.Contains(err.Error(), "SHA-1") {
		t.Fatalf("err = %v, want a hint about the SHA-1 header", err)
	}
}

func TestParseProvider(t *testing.T) {
	for in, want := range map[string]Provider{"github": GitHub, " GitLab ": GitLab, "BITBUCKET": Bitbucket} {
		if got, err := ParseProvider(in); got != want || err != nil {
			t.Errorf("ParseProvider(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "gitea", "github-app"} {
		if _, err := ParseProvider(in); !errors.Is(err, ErrUnknownProvider) {
			t.Errorf("ParseProvider(%q) err = %v", in, err)
		}
	}
}
