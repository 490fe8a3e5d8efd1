package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/internal/validate"
)

// Uploads configures multipart GraphQL requests (the GraphQL multipart
// request spec, for file uploads).
type Uploads struct {
	// Dir receives the files while the operation runs; every file is
	// removed when the request ends, whatever its outcome.
	Dir *scratch.Dir
	// MaxFields bounds the operations and map parts (JSON).
	MaxFields int64
}

// multipartForm is the multipart transport. Unlike gqlgen's, it streams
// every file into the instance's scratch directory (never into memory nor
// the system's temporary directory) and answers an oversized body 413;
// the body's size limit is set by the HTTP edge before it gets here.
type multipartForm struct{ up Uploads }

var _ graphql.Transport = multipartForm{}

func (multipartForm) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (t multipartForm) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	var files []*scratch.File
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	params, err := t.read(r, &files)
	if err != nil {
		httperr.GraphQL(w, err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, gerr := exec.CreateOperationContext(r.Context(), params)
	if gerr != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(r.Context(), rc), gerr)
		// As httpTransport answers the same refusals.
		w.WriteHeader(refusalStatus(resp.Errors))
		_ = json.NewEncoder(w).Encode(resp)
		return
	}
	responses, ctx := exec.DispatchOperation(r.Context(), rc)
	_ = json.NewEncoder(w).Encode(responses(ctx))
}

// read parses the operations and map parts and spools each file part,
// adding every file it created to files.
func (t multipartForm) read(r *http.Request, files *[]*scratch.File) (*graphql.RawParams, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.Validation, "the multipart body cannot be read: %v", err)
	}
	var params graphql.RawParams
	if err := t.jsonPart(mr, "operations", &params); err != nil {
		return nil, err
	}
	uploads := map[string][]string{}
	if err := t.jsonPart(mr, "map", &uploads); err != nil {
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartError(err)
		}
		key := part.FormName()
		paths := uploads[key]
		if len(paths) == 0 {
			return nil, apperr.New(apperr.Validation, "the multipart part %q is not in the map", key)
		}
		delete(uploads, key)
		f, n, err := t.up.Dir.Spool(part, "graphql-upload-*")
		if err != nil {
			return nil, multipartError(err)
		}
		*files = append(*files, f)
		for _, path := range paths {
			// Each path reads the one file from its own start.
			upload := graphql.Upload{File: io.NewSectionReader(f, 0, n), Size: n, Filename: part.FileName(), ContentType: part.Header.Get("Content-Type")}
			if gerr := params.AddUpload(upload, key, path); gerr != nil {
				return nil, apperr.New(apperr.Validation, "%s", gerr.Message)
			}
		}
	}
	for key := range uploads {
		return nil, apperr.New(apperr.Validation, "the map names the part %q, which the body does not have", key)
	}
	return &params, nil
}

// jsonPart decodes the next part, which must be named name, into v.
func (t multipartForm) jsonPart(mr *multipart.Reader, name string, v any) error {
	part, err := mr.NextPart()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return apperr.New(apperr.Validation, "the multipart body has no %q part", name)
		}
		return multipartError(err)
	}
	if part.FormName() != name {
		return apperr.New(apperr.Validation, "the multipart part %q must come before %q", name, part.FormName())
	}
	data, err := io.ReadAll(io.LimitReader(part, t.up.MaxFields+1))
	if err != nil {
		return multipartError(err)
	}
	if int64(len(data)) > t.up.MaxFields {
		return bodylimit.TooLarge(t.up.MaxFields)
	}
	// As for JSON bodies (textPOST): encoding/json would silently turn
	// invalid UTF-8 into U+FFFD.
	if err := validate.JSONText(data); err != nil {
		return apperr.New(apperr.Validation, "the multipart part %q %s; send UTF-8 text", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return apperr.New(apperr.Validation, "the multipart part %q is not valid JSON of the right shape", name)
	}
	return nil
}

func multipartError(err error) error {
	return bodylimit.Check(err, "the multipart body cannot be read: it ended early or is malformed")
}
