package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cargoman/cargoman/internal/repourl"
)

// Parsing errors, for errors.Is. The handler answers 400 and records the
// delivery as rejected with the message.
var (
	ErrInvalidPayload = errors.New("webhook payload invalid")
	ErrMissingEvent   = errors.New("webhook event header missing")
)

// Delivery is what the handler needs from one webhook call.
type Delivery struct {
	Provider Provider
	// Event is the provider's event name as sent: GitHub X-GitHub-Event
	// ("push", "ping", "create", "release", ...), GitLab X-Gitlab-Event
	// ("Push Hook", "Tag Push Hook", "System Hook", ...), Bitbucket
	// X-Event-Key ("repo:push", "repo:refs_changed", "diagnostics:ping", ...).
	Event string
	// ID identifies the delivery for de-duplication and stays the same when
	// the provider retries it: GitHub X-GitHub-Delivery; GitLab
	// Idempotency-Key, else X-Gitlab-Event-UUID, else X-Gitlab-Webhook-UUID;
	// Bitbucket X-Request-UUID (Cloud) or X-Request-Id (Data Center). When
	// the provider sent none of them, ID is "body-sha256:<hex>" (a retry
	// sends the same body), never "".
	ID string
	// HookID names the webhook configuration that sent the delivery when the
	// provider says so (GitHub X-GitHub-Hook-ID, Bitbucket X-Hook-UUID). It
	// is the same for every delivery of that webhook, so it is only for logs.
	HookID string
	// RepositoryURLs lists every URL form of the repository the payload
	// gives (web page, HTTPS and SSH clone URLs, ...), de-duplicated, in a
	// fixed order. Compare with MatchesRepository or repourl.Canonical: the
	// forms differ in scheme, user, ".git" suffix and case.
	RepositoryURLs []string
	// Ping is a connectivity test (GitHub ping, Bitbucket Data Center
	// diagnostics:ping): answer 200 and do nothing.
	Ping bool
	// Push is a push of commits or tags (GitHub push, GitLab push and tag
	// push, including through system hooks, Bitbucket repo:push and
	// repo:refs_changed).
	Push bool
	// Refs lists the full refs concerned ("refs/heads/main",
	// "refs/tags/v1.2.0"), de-duplicated, in payload order; it may be empty.
	Refs []string
	// Heads maps full refs to the commit the push left them at, for the
	// refs whose new commit the payload states (GitHub and GitLab "after",
	// Bitbucket's new target or toHash); a deleted ref maps to ZeroCommit.
	// It lets a replay of a push the package already has be recognised
	// whatever its delivery ID. Only lowercase hex SHAs are kept.
	Heads map[string]string

	sync bool
}

// ZeroCommit is the "after" commit providers send for a deleted ref.
const ZeroCommit = "0000000000000000000000000000000000000000"

// setHead records ref's new commit when both look right; a nil or all-zero
// new commit (deletion) is stored as ZeroCommit.
func (d *Delivery) setHead(ref, commit string) {
	if ref == "" || !isCommit(commit) {
		return
	}
	if strings.Trim(commit, "0") == "" {
		commit = ZeroCommit
	}
	if d.Heads == nil {
		d.Heads = map[string]string{}
	}
	d.Heads[ref] = commit
}

// isCommit accepts a full SHA-1 or SHA-256 object name in lowercase hex.
func isCommit(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// ShouldSync reports whether the delivery announces a change of branches or
// tags, so the matched packages must be synced: a push or tag push (also of a
// deletion), GitHub create/delete of a branch or tag, and a GitHub release
// that was published. Pings and every other event (issues, pull requests,
// pipelines, ...) are ignored.
func (d *Delivery) ShouldSync() bool { return d != nil && d.sync && !d.Ping }

// MatchesRepository reports whether repoURL (a package's repository URL in
// any usual form) names the delivery's repository.
func (d *Delivery) MatchesRepository(repoURL string) bool {
	want := repourl.Canonical(repoURL)
	if d == nil || want == "" {
		return false
	}
	for _, u := range d.RepositoryURLs {
		if repourl.Canonical(u) == want {
			return true
		}
	}
	return false
}

// Parse reads a delivery: the event, ID and hook from the headers, and the
// repository URLs and refs from the JSON body. Unknown events parse fine (with
// ShouldSync false); the body must still be a JSON object. GitHub webhooks
// configured with content type application/x-www-form-urlencoded are
// accepted too (the JSON is then in the "payload" form field).
//
// Parse does not verify anything: see Verify, and the package comment for
// the order of the two.
func Parse(provider Provider, header http.Header, body []byte) (*Delivery, error) {
	if err := provider.check(); err != nil {
		return nil, err
	}
	d := &Delivery{Provider: provider}
	var err error
	switch provider {
	case GitHub:
		err = parseGitHub(d, header, body)
	case GitLab:
		err = parseGitLab(d, header, body)
	case Bitbucket:
		err = parseBitbucket(d, header, body)
	}
	if err != nil {
		return nil, err
	}
	if d.ID == "" {
		sum := sha256.Sum256(body)
		d.ID = "body-sha256:" + hex.EncodeToString(sum[:])
	}
	if d.sync && len(d.RepositoryURLs) == 0 {
		return nil, fmt.Errorf("%w: %s %q event names no repository URL", ErrInvalidPayload, provider, d.Event)
	}
	return d, nil
}

// eventHeader returns the event name, which must be present and short
// printable text (it is stored and shown).
func eventHeader(header http.Header, name string) (string, error) {
	v := strings.TrimSpace(header.Get(name))
	if v == "" {
		return "", fmt.Errorf("%w: no %s header", ErrMissingEvent, name)
	}
	if !plausible(v) {
		return "", fmt.Errorf("%w: %s header %q is not an event name", ErrInvalidPayload, name, clip(v))
	}
	return v, nil
}

// idHeader returns the first of the named headers that is set. IDs are
// stored in a unique index, so implausible values are an error rather than
// silently replaced.
func idHeader(header http.Header, names ...string) (string, error) {
	for _, name := range names {
		v := strings.TrimSpace(header.Get(name))
		if v == "" {
			continue
		}
		if !plausible(v) {
			return "", fmt.Errorf("%w: %s header %q is not a delivery ID", ErrInvalidPayload, name, clip(v))
		}
		return v, nil
	}
	return "", nil
}

// plausible accepts up to 200 bytes of printable ASCII: every provider's
// event names and IDs fit, and nothing stranger reaches the database.
func plausible(s string) bool {
	if len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// object is a JSON object whose members are decoded on demand, so payload
// parts the registry does not use are never typed, and a member of an
// unexpected type reads as absent instead of failing the whole delivery.
type object map[string]json.RawMessage

// decodeObject parses the body, which must be one JSON object.
func decodeObject(provider Provider, body []byte) (object, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrInvalidPayload)
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrInvalidPayload)
	}
	var o object
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("%w: %s body is not valid JSON: %s", ErrInvalidPayload, provider, jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: %s body has data after the JSON object", ErrInvalidPayload, provider)
	}
	return o, nil
}

// jsonProblem words a decoding error for people, with the byte offset when
// known.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%s (at byte %d)", syntax.Error(), syntax.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

// obj returns member key as an object, or nil.
func (o object) obj(key string) object {
	raw, ok := o[key]
	if !ok {
		return nil
	}
	var m object
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// objs returns member key as an array of objects, skipping other items.
func (o object) objs(key string) []object {
	return arrayOf(o[key], func(m object) bool { return m != nil })
}

// str returns member key as a string, or "" when absent or not a string.
func (o object) str(key string) string {
	raw, ok := o[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// strs returns member key as an array of strings, skipping other items.
func (o object) strs(key string) []string {
	return arrayOf(o[key], func(string) bool { return true })
}

// arrayOf decodes raw as an array, keeping the items that decode as T and
// pass keep; anything else yields nil.
func arrayOf[T any](raw json.RawMessage, keep func(T) bool) []T {
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []T
	for _, item := range items {
		var v T
		if json.Unmarshal(item, &v) == nil && keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// boolean returns member key as a bool, false when absent or not a bool.
func (o object) boolean(key string) bool {
	var b bool
	return json.Unmarshal(o[key], &b) == nil && b
}

// list collects strings in first-seen order without duplicates or blanks. It
// stays linear however many refs a (possibly forged) payload lists.
type list struct {
	items []string
	seen  map[string]bool
}

func (l *list) add(values ...string) {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" || !utf8.ValidString(v) || len(v) > 2048 || l.seen[v] {
			continue
		}
		if l.seen == nil {
			l.seen = map[string]bool{}
		}
		l.seen[v] = true
		l.items = append(l.items, v)
	}
}

// addURLs adds values that look like repository URLs (scheme URLs or
// scp-like "git@host:path"); anything else in a URL field is ignored.
func (l *list) addURLs(values ...string) {
	for _, v := range values {
		if repourl.Canonical(v) != "" {
			l.add(v)
		}
	}
}

// fullRef turns a short ref name into a full one; names already starting
// with "refs/" are kept.
func fullRef(kind, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if strings.HasPrefix(name, "refs/") {
		return name
	}
	switch strings.ToLower(kind) {
	case "tag", "annotated_tag":
		return "refs/tags/" + name
	case "branch", "named_branch", "bookmark":
		return "refs/heads/" + name
	}
	return ""
}

// githubFormPayload extracts the JSON from a form-encoded GitHub delivery.
func githubFormPayload(header http.Header, body []byte) ([]byte, error) {
	mediaType, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: github form body is not URL-encoded: %s", ErrInvalidPayload, err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return nil, fmt.Errorf("%w: github form body has no payload field", ErrInvalidPayload)
	}
	return []byte(payload), nil
}
