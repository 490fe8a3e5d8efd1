package exclude

import "strings"

// vcsDirs are the directories Composer's archiver leaves out (Symfony
// Finder's ignoreVCS list).
var vcsDirs = map[string]bool{".svn": true, "_svn": true, "CVS": true, "_darcs": true,
	".arch-params": true, ".monotone": true, ".bzr": true, ".git": true, ".hg": true}

// InVCSDir reports whether rel lies inside a version-control directory, or
// is named .git in any letter case: a committed .git directory (which git's
// own fsck forbids) could carry hooks or config into a consumer's vendor/.
// It is the one rule for every dist the registry builds (git archives in internal/vcs,
// uploaded artifacts in internal/artifact).
func InVCSDir(rel string) bool {
	for {
		el, rest, more := strings.Cut(rel, "/")
		if strings.EqualFold(el, ".git") || more && vcsDirs[el] {
			return true
		}
		if !more {
			return false
		}
		rel = rest
	}
}
