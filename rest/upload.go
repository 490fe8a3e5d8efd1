package rest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
)

// DefaultMaxUploadBytes bounds uploads when Options leave it unset.
const DefaultMaxUploadBytes = 64 << 20

// readUpload reads an uploaded file as the $input field named field: the
// "file" part of a multipart/form-data body (other parts become input
// fields), or a raw application/zip (or octet-stream) body, with other
// input fields from the query string.
func (h *Handler) readUpload(r *http.Request, field string) (map[string]any, error) {
	limit := h.opts.MaxUploadBytes
	if limit <= 0 {
		limit = DefaultMaxUploadBytes
	}
	input := map[string]any{}
	for k, v := range r.URL.Query() {
		input[casing.Camel(k)] = v[len(v)-1]
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(nil, r.Body, limit+1<<20)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, apperr.Invalid(field, "the upload is larger than %d bytes", limit)
			}
			return nil, apperr.New(apperr.Validation, "the multipart body cannot be read: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			input[casing.Camel(k)] = v[len(v)-1]
		}
		files := r.MultipartForm.File[field]
		if len(files) != 1 {
			return nil, apperr.Invalid(field, "send exactly one file in the %q part", field)
		}
		fh := files[0]
		if fh.Size > limit {
			return nil, apperr.Invalid(field, "the upload is larger than %d bytes", limit)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("rest: open upload: %w", err)
		}
		input[field] = graphql.Upload{File: f, Filename: fh.Filename, Size: fh.Size, ContentType: fh.Header.Get("Content-Type")}
	case "application/zip", "application/octet-stream", "application/x-zip-compressed":
		f, size, err := spool(r.Body, limit)
		if err != nil {
			return nil, err
		}
		go func() { <-r.Context().Done(); f.Close(); os.Remove(f.Name()) }()
		input[field] = graphql.Upload{File: f, Filename: "upload.zip", Size: size, ContentType: mediaType}
	default:
		return nil, apperr.Invalid(field, "send the zip as multipart/form-data (part %q) or as an application/zip body", field)
	}
	return input, nil
}

// spool copies a raw body into a temporary file, so the zip reader can
// seek in it without holding it in memory.
func spool(body io.Reader, limit int64) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "cargoman-upload-*.zip")
	if err != nil {
		return nil, 0, fmt.Errorf("rest: spool upload: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(body, limit+1))
	if err == nil && n > limit {
		err = apperr.Invalid("file", "the upload is larger than %d bytes", limit)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if _, ok := apperr.As(err); ok {
			return nil, 0, err
		}
		return nil, 0, apperr.New(apperr.Validation, "the upload could not be read: %v", strings.TrimPrefix(err.Error(), "http: "))
	}
	return f, n, nil
}
