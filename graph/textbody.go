package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// textPOST is gqlgen's JSON POST transport that first refuses a body whose
// strings are not text (validate.JSONText): encoding/json would turn
// invalid UTF-8 and lone surrogates into U+FFFD, so the String scalar would
// never see them and a changed value would be stored. The body is already
// size-limited by the server when it gets here.
type textPOST struct{ transport.POST }

func (t textPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		if textErr := validate.JSONText(body); textErr != nil {
			// Written here rather than through exec.DispatchError: there
			// is no operation yet for the response extensions to read.
			resp := graphql.Response{Errors: gqlerror.List{{
				Message:    fmt.Sprintf("the request body %s; send UTF-8 text", textErr),
				Extensions: map[string]any{"code": string(apperr.Validation)},
			}}}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(resp)
			return
		}
	}
	// A read error is left to the transport, which reports it as it does
	// any other unreadable body.
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	t.POST.Do(w, r, exec)
}

// errReader returns err (or io.EOF when nil) once the body's bytes are read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
