package vcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSSH puts an "ssh" first on PATH that records how git called it and
// serves the request from local repositories under root, so the ssh
// plumbing (GIT_SSH_COMMAND, key file) is tested without an ssh server.
const fakeSSH = `#!/bin/sh
printf '%s\n' "$@" > "$VCS_FAKE_SSH_LOG"
key=
while [ $# -gt 1 ]; do
	case "$1" in
	-i) key=$2; shift 2 ;;
	-o|-F|-p|-l) shift 2 ;;
	*) shift ;;
	esac
done
if [ -n "$key" ]; then
	stat -c %a "$key" > "$VCS_FAKE_SSH_LOG.keymode"
	cat "$key" > "$VCS_FAKE_SSH_LOG.key"
fi
cd "$VCS_FAKE_SSH_ROOT" && exec sh -c "$1"
`

func TestSyncSSH(t *testing.T) {
	f := getFixture(t)
	f.mirror(t)
	bin := t.TempDir()
	must(t, os.WriteFile(filepath.Join(bin, "ssh"), []byte(fakeSSH), 0o755))
	logFile := filepath.Join(t.TempDir(), "ssh.log")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("VCS_FAKE_SSH_LOG", logFile)
	t.Setenv("VCS_FAKE_SSH_ROOT", filepath.Dir(f.mirrorDir))
	key := "-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\r\n-----END OPENSSH PRIVATE KEY-----"

	tests := []struct {
		name    string
		auth    Auth
		want    []string
		notWant []string
	}{
		{"with key", Auth{SSHKey: []byte(key)},
			[]string{"-i", "IdentitiesOnly=yes", "StrictHostKeyChecking=accept-new", "BatchMode=yes", "IdentityAgent=none", "git@example.test"},
			[]string{"IdentityFile=none"}},
		{"without key", Auth{},
			[]string{"IdentityFile=none", "IdentitiesOnly=yes", "StrictHostKeyChecking=accept-new"},
			[]string{"-i"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			known := filepath.Join(t.TempDir(), "known_hosts")
			repo, err := Sync(t.Context(), filepath.Join(t.TempDir(), "m"), "git@example.test:"+filepath.Base(f.mirrorDir), tc.auth, Options{KnownHostsFile: known})
			if err != nil {
				t.Fatal(err)
			}
			if refs, err := repo.Refs(t.Context()); err != nil || len(refs) != 7 {
				t.Fatalf("Refs: %d, %v", len(refs), err)
			}
			raw, err := os.ReadFile(logFile)
			must(t, err)
			args := strings.Split(strings.TrimSpace(string(raw)), "\n")
			has := func(s string) bool {
				for _, a := range args {
					if a == s || (!strings.HasPrefix(s, "-") && strings.Contains(a, s)) {
						return true
					}
				}
				return false
			}
			for _, w := range tc.want {
				if !has(w) {
					t.Errorf("ssh args %q lack %q", args, w)
				}
			}
			for _, w := range tc.notWant {
				if has(w) {
					t.Errorf("ssh args %q have %q", args, w)
				}
			}
			if !has("UserKnownHostsFile=" + known) {
				t.Errorf("ssh args %q do not use KnownHostsFile", args)
			}
			if len(tc.auth.SSHKey) == 0 {
				return
			}
			mode, _ := os.ReadFile(logFile + ".keymode")
			if strings.TrimSpace(string(mode)) != "600" {
				t.Errorf("key file mode %q, want 600", mode)
			}
			got, _ := os.ReadFile(logFile + ".key")
			if string(got) != strings.ReplaceAll(key, "\r\n", "\n")+"\n" {
				t.Errorf("key file content %q", got)
			}
			for i, a := range args {
				if a == "-i" && i+1 < len(args) {
					if _, err := os.Stat(args[i+1]); !os.IsNotExist(err) {
						t.Errorf("key file %s survives Sync: %v", args[i+1], err)
					}
				}
			}
		})
	}
}
