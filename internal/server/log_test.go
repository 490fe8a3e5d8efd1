package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestRequestLogDuration: a request's log line gives its duration as a
// number of milliseconds under duration_ms, not raw nanoseconds.
func TestRequestLogDuration(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	h := logRequests(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(25 * time.Millisecond)
		w.WriteHeader(http.StatusTeapot)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if _, ok := line["duration"]; ok {
		t.Errorf("log line has raw duration: %s", buf.String())
	}
	ms, ok := line["duration_ms"].(float64)
	if !ok {
		t.Fatalf("duration_ms = %#v, want a number: %s", line["duration_ms"], buf.String())
	}
	if ms < 25 || ms > 10_000 {
		t.Errorf("duration_ms = %v, want the ~25 ms the handler took", ms)
	}
	if line["status"] != float64(http.StatusTeapot) || line["path"] != "/healthz" {
		t.Errorf("log line = %s", buf.String())
	}
}
