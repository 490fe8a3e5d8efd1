package vcs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBlobSize is BlobReader.MaxSize unless changed: far above any
// real composer.json, far below what would hurt memory.
const DefaultMaxBlobSize = 16 << 20

// BlobReader reads files at commits through one long-lived `git cat-file
// --batch` process, so reading composer.json at 500 tags costs one process,
// not 500. It is safe for concurrent use (reads are serialised). Close it.
type BlobReader struct {
	// MaxSize bounds one file; larger ones fail with ErrBlobTooLarge
	// (without spoiling the reader).
	MaxSize int64

	mu      sync.Mutex
	g       *gitCmd
	stdin   *bufio.Writer
	stdinC  io.Closer
	stdout  *bufio.Reader
	timeout time.Duration
	err     error // sticky: the process is unusable
	closed  bool
}

// NewReader starts the cat-file process. It lives until Close or until ctx
// ends; each Read is bounded by the repository's timeout.
func (r *Repo) NewReader(ctx context.Context) (*BlobReader, error) {
	g := r.run.command(ctx, "cat-file", false, "cat-file", "--batch")
	in, err := g.cmd.StdinPipe()
	if err != nil {
		g.cancel()
		return nil, err
	}
	out, err := g.cmd.StdoutPipe()
	if err != nil {
		g.cancel()
		return nil, err
	}
	if err := g.cmd.Start(); err != nil {
		g.cancel()
		return nil, g.errorFor(err)
	}
	return &BlobReader{
		MaxSize: DefaultMaxBlobSize,
		g:       g,
		stdin:   bufio.NewWriter(in),
		stdinC:  in,
		stdout:  bufio.NewReaderSize(out, 64<<10),
		timeout: r.opts.Timeout,
	}, nil
}

// Read returns the content of path at commit. A path that does not exist
// at that commit (or names a directory), and a commit the mirror does not
// have, give found == false and no error. commit must be a full hex id and
// path a clean relative path (ErrInvalidArgument otherwise).
func (b *BlobReader) Read(commit, path string) (data []byte, found bool, err error) {
	if err := checkCommit(commit); err != nil {
		return nil, false, err
	}
	if err := checkRelPath("path", path); err != nil {
		return nil, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false, errors.New("vcs: BlobReader is closed")
	}
	if b.err != nil {
		return nil, false, b.err
	}
	if err := b.g.parent.Err(); err != nil {
		b.err = &Error{Op: "cat-file", Target: b.g.r.target, Err: err}
		return nil, false, b.err
	}
	timer := time.AfterFunc(b.timeout, func() { _ = b.g.cmd.Cancel() })
	data, found, err = b.read(commit + ":" + path)
	if !timer.Stop() {
		// The process was killed: this read may have completed just in
		// time, but no later one can.
		b.err = &Error{Op: "cat-file", Target: b.g.r.target, Kind: ErrTimeout, Err: context.DeadlineExceeded, timeout: b.timeout}
		if err != nil {
			return nil, false, b.err
		}
		return data, found, nil
	}
	if err != nil && !errors.Is(err, ErrBlobTooLarge) {
		if ctxErr := b.g.parent.Err(); ctxErr != nil {
			err = &Error{Op: "cat-file", Target: b.g.r.target, Err: ctxErr}
		}
		b.err = err
	}
	return data, found, err
}

func (b *BlobReader) read(name string) ([]byte, bool, error) {
	b.stdin.WriteString(name)
	b.stdin.WriteByte('\n')
	if err := b.stdin.Flush(); err != nil {
		return nil, false, fmt.Errorf("vcs: cat-file: %w", err)
	}
	header, err := b.stdout.ReadString('\n')
	if err != nil {
		return nil, false, fmt.Errorf("vcs: cat-file: %w", err)
	}
	header = strings.TrimSuffix(header, "\n")
	if strings.HasSuffix(header, " missing") || strings.HasSuffix(header, " ambiguous") {
		return nil, false, nil
	}
	_, typ, size, ok := parseBatchHeader(header)
	if !ok {
		return nil, false, fmt.Errorf("vcs: cat-file: unexpected reply %q", trunc(header))
	}
	if typ != "blob" || size > b.MaxSize {
		if _, err := b.stdout.Discard(int(size) + 1); err != nil {
			return nil, false, fmt.Errorf("vcs: cat-file: %w", err)
		}
		if typ != "blob" {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("vcs: %s is %d bytes: %w", trunc(name), size, ErrBlobTooLarge)
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(b.stdout, data); err != nil {
		return nil, false, fmt.Errorf("vcs: cat-file: %w", err)
	}
	if data[size] != '\n' {
		return nil, false, errors.New("vcs: cat-file: lost framing")
	}
	return data[:size], true, nil
}

// parseBatchHeader parses "<oid> <type> <size>".
func parseBatchHeader(h string) (oid, typ string, size int64, ok bool) {
	f := strings.Fields(h)
	if len(f) != 3 {
		return "", "", 0, false
	}
	n, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || n < 0 {
		return "", "", 0, false
	}
	return f[0], f[1], n, true
}

// Close stops the cat-file process.
func (b *BlobReader) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	_ = b.stdinC.Close() // git exits at EOF
	err := b.g.wait()
	if b.err != nil || b.g.parent.Err() != nil {
		return nil // already reported by Read, or the caller cancelled
	}
	return err
}
