// Package vcs is everything the registry needs from git repositories: it
// mirrors a package's repository into a directory, lists its tags and
// branches, reads files (composer.json) at many refs, finds files in
// monorepos and builds deterministic dist zips.
//
// It drives the git CLI rather than a Go reimplementation: git is the
// fastest and best-maintained implementation, and the performance target is
// plain `git clone` + `git archive`. Every git process runs with a scrubbed
// environment (no system/global config, no credential helpers, no prompts, a
// private HOME, an allow-list of transports), a per-command timeout, and in
// its own process group that is killed when the context ends.
//
// URLs come from vendors and are untrusted: local paths and file:// URLs are
// refused unless Options.AllowLocal, credentials never reach argv or error
// messages, and commits and paths handed to git are validated first. It
// needs git 2.32 or later (GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT).
//
// Failures of git are *Error values ("git fetch of https://host/x failed:
// ..."); test them with errors.Is against ErrAuthFailed, ErrRepoNotFound,
// ErrUnreachable, ErrHostKey, ErrHostKeyChanged, ErrHostNotAllowed,
// ErrStalled, ErrTimeout, ErrCorrupt, ErrNotFound, context.Canceled. Bad
// arguments give ErrInvalidArgument, refused URLs ErrLocalNotAllowed or
// ErrUnsupportedURL.
//
// Network access: git never dials. An https remote is reached through an
// HTTP CONNECT proxy and an ssh remote through a forwarder, both in this
// process on 127.0.0.1 and both dialling with Options.Network, which
// checks the address actually connected to (so DNS rebinding cannot reach
// a refused range) and cuts a connection whose remote stays silent for
// Options.StallTimeout. Each session allows git the one transport of its
// URL (GIT_ALLOW_PROTOCOL), and proxy variables are removed from git's
// environment. ssh host keys are fetched with a handshake through the
// policy, judged by Options.HostKeys (pinned on first use), and ssh is
// then run with StrictHostKeyChecking=yes against exactly that key.
//
// Decisions callers must know:
//
//   - Sync keeps branches and tags only (refs/heads/*, refs/tags/*), not
//     everything `git clone --mirror` would copy (GitHub's refs/pull/*, ...):
//     versions come from branches and tags, and pull-request refs can
//     outnumber them by orders of magnitude.
//   - Archive keeps a symlink as a symlink when its target stays inside the
//     archive; it drops absolute links, links that climb out of the archive
//     and links whose target passes through another symlink. Links are never
//     followed.
//   - Archive writes directory entries only for directories that hold at
//     least one archived entry (git has no empty directories; directories
//     emptied by export-ignore or archive.exclude disappear).
//   - Archive leaves out version-control directories (.git, .svn, CVS, .hg,
//     ...) as Composer's archiver does; a .git of any letter case always.
//   - archive.exclude follows Composer's BaseExcludeFilter exactly (see
//     Excluder) except that a trailing '/' restricts a rule to directories.
package vcs

import (
	"errors"
	"time"

	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/repourl"
)

// Auth holds credentials for one repository. The zero value is anonymous.
type Auth struct {
	// Token is sent to HTTPS remotes as HTTP Basic auth (Username:Token),
	// through git's environment, never argv.
	Token string
	// Username goes with Token; empty means "x-access-token", which GitHub
	// and GitLab accept for tokens. Bitbucket wants "x-token-auth" or the
	// account name.
	Username string
	// SSHKey is a private key (OpenSSH/PEM, without passphrase) for ssh://
	// and scp-like remotes. It is written to a 0600 file in a private
	// temporary directory for the duration of the git command.
	SSHKey []byte
}

// Options tune Sync and the commands of the returned Repo.
type Options struct {
	// AllowLocal permits local paths and file:// URLs. Off by default: a
	// vendor-supplied URL must not read the registry host's disk.
	AllowLocal bool
	// AllowInsecureHTTP permits plain http:// remotes
	// (ALLOW_INSECURE_GIT_HTTP): for git servers inside a private network.
	// Contents and credentials then cross the network unencrypted.
	AllowInsecureHTTP bool
	// Timeout bounds each git command (and each BlobReader.Read); zero
	// means DefaultTimeout.
	Timeout time.Duration
	// GitPath is the git binary; empty means "git" from PATH.
	GitPath string
	// CAFile is a PEM bundle of certificate authorities for HTTPS remotes
	// (http.sslCAInfo), for self-hosted servers with a private CA. Empty
	// means the system's.
	CAFile string
	// TempDir receives the private HOME and session directories of git
	// commands (the instance's scratch directory under DATA_DIR/tmp).
	// Empty means the system's temporary directory.
	TempDir string
	// Network is the policy every connection to a remote is dialled with
	// (nil allows any address). git never dials itself: https goes through
	// a CONNECT proxy and ssh through a forwarder, both on 127.0.0.1 and
	// both checking the address at connect time.
	Network *netpolicy.Policy
	// StallTimeout cuts a transfer whose remote sends nothing for this
	// long; zero means netpolicy.DefaultStall (60 s).
	StallTimeout time.Duration
	// HostKeys pins ssh host keys. ssh remotes are refused without it.
	HostKeys HostKeys
}

// DefaultTimeout bounds a git command when Options.Timeout is zero. It is
// generous because a first clone of a large repository can take minutes.
const DefaultTimeout = 10 * time.Minute

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.GitPath == "" {
		o.GitPath = "git"
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = netpolicy.DefaultStall
	}
	return o
}

// RefKind tells tags from branches.
type RefKind int

// The kinds of refs Refs lists.
const (
	Tag RefKind = iota
	Branch
)

func (k RefKind) String() string {
	switch k {
	case Tag:
		return "tag"
	case Branch:
		return "branch"
	}
	return "unknown"
}

// Ref is a tag or branch of a mirror.
type Ref struct {
	Kind RefKind
	// Name is the short name: "v1.0.0", "main", "feature/x".
	Name string
	// Commit is the peeled commit id: annotated (and nested) tags resolve
	// to the commit they point at.
	Commit string
	// Time is the committer time of Commit, in UTC.
	Time time.Time
}

// ArchiveInfo describes a zip Archive wrote.
type ArchiveInfo struct {
	// SHA1 is the lower-case hex sha1 of the bytes written (Composer's
	// dist.shasum).
	SHA1 string
	// Size is the number of bytes written.
	Size int64
	// Files counts file and symlink entries (directories excluded).
	Files int
}

// Errors callers can test with errors.Is. Failures of git itself are
// *Error values that unwrap to one of the classification errors when the
// cause is recognised, and to context.Canceled / context.DeadlineExceeded
// when the context ended.
var (
	// ErrLocalNotAllowed: a local path or file:// URL without AllowLocal.
	ErrLocalNotAllowed = repourl.ErrLocal
	// ErrUnsupportedURL: not a URL git may fetch (git://, ext::, http://
	// without AllowInsecureHTTP, ...).
	ErrUnsupportedURL = repourl.ErrUnsupported
	// ErrInvalidArgument: a commit, path, subdir or prefix that is not in
	// the accepted form.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrNotFound: no mirror at the directory, or the commit or subdir
	// does not exist in it.
	ErrNotFound = errors.New("not found")
	// ErrBlobTooLarge: a file larger than BlobReader.MaxSize.
	ErrBlobTooLarge = errors.New("file too large")
	// ErrUnsafeTree: the tree holds a path git should never have accepted
	// ("..", absolute); the archive is refused.
	ErrUnsafeTree = errors.New("unsafe path in tree")

	// ErrAuthFailed: the remote refused the credentials (or wanted some).
	ErrAuthFailed = errors.New("authentication failed")
	// ErrRepoNotFound: the remote says the repository does not exist
	// (private repositories without access often look like this too).
	ErrRepoNotFound = errors.New("repository not found")
	// ErrUnreachable: DNS, TCP or TLS failure talking to the remote.
	ErrUnreachable = errors.New("remote unreachable")
	// ErrHostKey: ssh refused the server's host key.
	ErrHostKey = errors.New("ssh host key verification failed")
	// ErrHostKeyChanged: the server offered a host key other than the one
	// pinned for it (HostKeys.Check says so).
	ErrHostKeyChanged = errors.New("the ssh host key of the server changed")
	// ErrHostNotAllowed: the network policy refused the remote's host or
	// address. The message names the settings, never the address.
	ErrHostNotAllowed = netpolicy.ErrRefused
	// ErrStalled: the remote sent nothing for Options.StallTimeout.
	ErrStalled = errors.New("the remote stopped sending")
	// ErrTimeout: the command ran longer than Options.Timeout; it also
	// unwraps to context.DeadlineExceeded.
	ErrTimeout = errors.New("timed out")
	// ErrCorrupt: the local mirror is damaged; Sync recovers from it by
	// cloning afresh.
	ErrCorrupt = errors.New("mirror is corrupt")
)
