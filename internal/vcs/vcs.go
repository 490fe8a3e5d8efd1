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
// ErrUnreachable, ErrHostKey, ErrTimeout, ErrCorrupt, ErrNotFound,
// context.Canceled. Bad arguments give ErrInvalidArgument, refused URLs
// ErrLocalNotAllowed or ErrUnsupportedURL.
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
	// Timeout bounds each git command (and each BlobReader.Read); zero
	// means DefaultTimeout.
	Timeout time.Duration
	// GitPath is the git binary; empty means "git" from PATH.
	GitPath string
	// CAFile is a PEM bundle of certificate authorities for HTTPS remotes
	// (http.sslCAInfo), for self-hosted servers with a private CA. Empty
	// means the system's.
	CAFile string
	// KnownHostsFile is the ssh known_hosts to trust-on-first-use and then
	// verify. Empty means a throw-away file per Sync (host keys are
	// accepted and never pinned); set it to a persistent path under
	// DATA_DIR to pin host keys.
	KnownHostsFile string
	// TempDir receives the private HOME and session directories of git
	// commands (the instance's scratch directory under DATA_DIR/tmp).
	// Empty means the system's temporary directory.
	TempDir string
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
	ErrLocalNotAllowed = errors.New("local repositories are not allowed")
	// ErrUnsupportedURL: not a URL git may fetch (http://, ext::, ...).
	ErrUnsupportedURL = errors.New("unsupported repository URL")
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
	// ErrHostKey: the ssh host key does not match KnownHostsFile.
	ErrHostKey = errors.New("ssh host key verification failed")
	// ErrTimeout: the command ran longer than Options.Timeout; it also
	// unwraps to context.DeadlineExceeded.
	ErrTimeout = errors.New("timed out")
	// ErrCorrupt: the local mirror is damaged; Sync recovers from it by
	// cloning afresh.
	ErrCorrupt = errors.New("mirror is corrupt")
)
