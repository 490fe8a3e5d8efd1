package loadtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nginxConf serves root on a loopback port, tuned to be a fair reference
// for Cargoman rather than a tuned CDN:
//
//   - one worker per CPU, as Go uses every CPU;
//   - no access log (the test server logs nothing either);
//   - keep-alive without a per-connection request cap, as net/http;
//   - JSON gzip-compressed per request at level 6 when the client accepts
//     it and the body is over 512 bytes, exactly what Cargoman's serveJSON
//     does (compress/gzip's default level is 6); gzip_vary as Cargoman's
//     Vary;
//   - /static/ additionally serves pre-compressed .gz files (gzip_static),
//     the ceiling for a server that caches compressed bodies;
//   - /plain/ serves the file as stock Debian nginx does (its gzip_types
//     leave JSON out): uncompressed, with sendfile;
//   - POST /downloads/ (Composer's notify-batch) answers as Cargoman does.
const nginxConf = `{{user}}worker_processes {{workers}};
daemon off;
master_process on;
pid {{prefix}}/nginx.pid;
error_log {{prefix}}/error.log warn;
events { worker_connections 4096; }
http {
    types { application/json json; application/zip zip; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 75s;
    keepalive_requests 100000000;
    client_body_temp_path {{prefix}}/tmp/body;
    proxy_temp_path {{prefix}}/tmp/proxy;
    fastcgi_temp_path {{prefix}}/tmp/fastcgi;
    uwsgi_temp_path {{prefix}}/tmp/uwsgi;
    scgi_temp_path {{prefix}}/tmp/scgi;
    gzip on;
    gzip_types application/json;
    gzip_comp_level 6;
    gzip_min_length 513;
    gzip_vary on;
    server {
        listen 127.0.0.1:{{port}};
        root {{root}};
        location /static/ {
            gzip off;
            gzip_static on;
        }
        location /plain/ {
            gzip off;
        }
        location = /downloads/ {
            default_type application/json;
            return 200 '{"status":"success"}\n';
        }
    }
}
`

// nginxServer is an nginx started by a test, stopped when it ends.
type nginxServer struct {
	URL  string
	Root string
}

// startNginx serves root on a free loopback port until t ends. nginx runs
// in the foreground as a child of the test, with its own prefix.
func startNginx(t *testing.T, bin, root string) *nginxServer {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		n, err := tryNginx(t, bin, root)
		if err == nil {
			return n
		}
		lastErr = err // most likely the free port was taken meanwhile
	}
	t.Fatalf("nginx: %v", lastErr)
	return nil
}

func tryNginx(t *testing.T, bin, root string) (*nginxServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	prefix := t.TempDir()
	for _, d := range []string{"body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(prefix, "tmp", d), 0o755); err != nil {
			return nil, err
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		// A root master would run its workers as nobody, who cannot read
		// the test's private temporary directories.
		user = "user root;\n"
	}
	conf := strings.NewReplacer(
		"{{user}}", user,
		"{{workers}}", fmt.Sprint(runtime.NumCPU()),
		"{{prefix}}", prefix,
		"{{port}}", fmt.Sprint(port),
		"{{root}}", root,
	).Replace(nginxConf)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", prefix, "-c", confPath, "-e", filepath.Join(prefix, "error.log"))
	cmd.Stdout, cmd.Stderr = &out, &out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			return nil, fmt.Errorf("nginx exited at start (%v): %s%s", err, out.Bytes(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("nginx did not listen on %s within 10s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		// SIGTERM: the master stops its workers, then exits.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return &nginxServer{URL: "http://" + addr, Root: root}, nil
}

// freePort returns a loopback TCP port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
