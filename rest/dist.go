package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/httperr"
)

// RespondDist streams the dist zip of the version in the result
// ({id, version, distShasum}), with range support.
func RespondDist(h *Handler, w http.ResponseWriter, r *http.Request, result json.RawMessage) {
	var v struct {
		ID         string `json:"id"`
		Version    string `json:"version"`
		DistShasum string `json:"distShasum"`
	}
	if err := json.Unmarshal(result, &v); err != nil || v.ID == "" {
		httperr.REST(w, apperr.NotFoundf("version not found"))
		return
	}
	if h.opts.Dists == nil {
		httperr.REST(w, apperr.New(apperr.Internal, "downloads are not configured"))
		return
	}
	obj, name, err := h.opts.Dists.OpenDist(r.Context(), v.ID)
	if errors.Is(err, blob.ErrNotFound) {
		httperr.REST(w, apperr.NotFoundf("the archive of version %s is missing", v.Version))
		return
	}
	if err != nil {
		httperr.REST(w, err)
		return
	}
	defer obj.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("ETag", `"`+v.DistShasum+`"`)
	http.ServeContent(w, r, name, obj.Info().ModTime, obj)
}
