package rest

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/casing"
	"github.com/cargoman/cargoman/internal/scratch"
)

// readUpload reads an uploaded file as the $input field named field: the
// "file" part of a multipart/form-data body (other parts become input
// fields), or a raw application/zip (or octet-stream) body, with other
// input fields from the query string. The body is streamed into the
// scratch directory, never held in memory; cleanup removes the file and
// runs on every outcome.
func (h *Handler) readUpload(w http.ResponseWriter, r *http.Request, field string) (_ map[string]any, cleanup func(), _ error) {
	cleanup = func() {}
	input := map[string]any{}
	for k, v := range r.URL.Query() {
		input[casing.Camel(k)] = v[len(v)-1]
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data", "application/zip", "application/octet-stream", "application/x-zip-compressed":
	default:
		return nil, cleanup, apperr.Invalid(field, "send the zip as multipart/form-data (part %q) or as an application/zip body", field)
	}
	if err := bodylimit.Limit(w, r, h.opts.Limits.Upload); err != nil {
		return nil, cleanup, err
	}
	var (
		f   *scratch.File
		err error
	)
	upload := graphql.Upload{Filename: "upload.zip", ContentType: mediaType}
	if mediaType == "multipart/form-data" {
		f, err = h.readMultipart(r, field, input, &upload)
	} else {
		f, upload.Size, err = h.opts.Scratch.Spool(r.Body, "upload-*.zip")
		err = uploadError(err)
	}
	if err != nil {
		return nil, cleanup, err
	}
	upload.File = f
	input[field] = upload
	return input, func() { _ = f.Close() }, nil
}

// readMultipart streams a multipart body: the part named field into a
// scratch file, the other (non-file) parts into input.
func (h *Handler) readMultipart(r *http.Request, field string, input map[string]any, upload *graphql.Upload) (*scratch.File, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.New(apperr.Validation, "the multipart body cannot be read: %v", err)
	}
	var file *scratch.File
	fail := func(err error) (*scratch.File, error) {
		if file != nil {
			_ = file.Close()
		}
		return nil, err
	}
	// Form values are small; together they get the JSON limit.
	values := h.opts.Limits.JSON
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(uploadError(err))
		}
		switch {
		case part.FormName() == field:
			if file != nil {
				return fail(apperr.Invalid(field, "send exactly one file in the %q part", field))
			}
			f, n, err := h.opts.Scratch.Spool(part, "upload-*.zip")
			if err != nil {
				return fail(uploadError(err))
			}
			file = f
			upload.Size = n
			if name := part.FileName(); name != "" {
				upload.Filename = name
			}
			upload.ContentType = part.Header.Get("Content-Type")
		case part.FileName() != "":
			// Other files are not for us; skip them as they stream by.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return fail(uploadError(err))
			}
		default:
			v, err := formValue(part, values)
			if err != nil {
				return fail(err)
			}
			values -= int64(len(v))
			input[casing.Camel(part.FormName())] = v
		}
	}
	if file == nil {
		return nil, apperr.Invalid(field, "send exactly one file in the %q part", field)
	}
	return file, nil
}

// formValue reads a form field of at most limit bytes.
func formValue(part *multipart.Part, limit int64) (string, error) {
	data, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return "", uploadError(err)
	}
	if int64(len(data)) > limit {
		return "", apperr.Invalid(casing.Snake(part.FormName()), "the form fields are larger than %d bytes together", limit)
	}
	return string(data), nil
}

// uploadError is the API error of a failed read of an upload body.
func uploadError(err error) error {
	if err == nil {
		return nil
	}
	return bodylimit.Check(err, "the upload could not be read: the body ended early or is not valid multipart")
}
