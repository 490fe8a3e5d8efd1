// Package sshdtest runs a real OpenSSH server for tests: on 127.0.0.1, on
// a free port, with its own host key and one authorized client key, as a
// foreground process that ends with the test. It lives apart from testenv
// so that internal/vcs's own tests can use it without an import cycle.
package sshdtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Binary is where the server is looked for.
const Binary = "/usr/sbin/sshd"

// Server is a running sshd.
type Server struct {
	Port int
	// ClientKey is the private key sshd accepts (OpenSSH format).
	ClientKey []byte
	// HostKey is the server's public host key, "type base64".
	HostKey string
	// Fingerprint is the host key's SHA256 fingerprint.
	Fingerprint string
	dir         string
	cmd         *exec.Cmd
	done        chan struct{}
}

// Start runs sshd or skips the test when it is not installed.
func Start(t *testing.T) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Skip("sshd not installed")
	}
	if os.Geteuid() == 0 {
		// sshd running as root wants its privilege separation directory.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Skipf("sshd: %v", err)
		}
	}
	dir := t.TempDir()
	keygen(t, filepath.Join(dir, "client"))
	clientKey, err := os.ReadFile(filepath.Join(dir, "client"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), append([]byte("restrict "), pub...), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{Port: port, ClientKey: clientKey, dir: dir}
	s.RotateHostKey(t)
	t.Cleanup(s.stop)
	return s
}

// RotateHostKey gives the server a new host key and restarts it on the
// same port, as a re-installed (or impersonated) server would look.
func (s *Server) RotateHostKey(t *testing.T) {
	t.Helper()
	s.stop()
	hostKey := filepath.Join(s.dir, "host")
	_ = os.Remove(hostKey)
	_ = os.Remove(hostKey + ".pub")
	keygen(t, hostKey)
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	s.HostKey = f[0] + " " + f[1]
	out, err := exec.Command("ssh-keygen", "-lf", hostKey+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	s.Fingerprint = strings.Fields(string(out))[1]
	cfg := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
AllowTcpForwarding no
X11Forwarding no
`, s.Port, hostKey, filepath.Join(s.dir, "authorized_keys"), filepath.Join(s.dir, "sshd.pid"))
	conf := filepath.Join(s.dir, "sshd_config")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	cmd := exec.Command(Binary, "-D", "-e", "-f", conf)
	cmd.Stderr = &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Port))
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-s.done:
			t.Fatalf("sshd exited: %s", logBuf.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd does not listen: %s", logBuf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// URL is an ssh:// URL of the repository at the absolute path repo.
func (s *Server) URL(repo string) string {
	return fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", currentUser(), s.Port, repo)
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		return "root"
	}
	return strings.TrimSpace(string(out))
}

func keygen(t *testing.T, path string) {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
}
