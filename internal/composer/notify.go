package composer

import (
	"encoding/json"
	"strings"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// Download is one entry of a notify-batch: a package installed at a
// version (Composer sends the normalized form, 1.2.0.0).
type Download struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ParseNotifyBatch reads what Composer POSTs to notify-batch after an
// install, {"downloads":[{"name":"a/b","version":"1.2.0.0"}, ...]}. Names
// come back lower-cased; every entry needs a valid package name and a
// version. Errors are VALIDATION_ERROR on the field downloads. The caller
// reads the body within its limit (internal/bodylimit).
func ParseNotifyBatch(data []byte) ([]Download, error) {
	var in struct {
		Downloads []Download `json:"downloads"`
	}
	if err := json.Unmarshal(data, &in); err != nil || in.Downloads == nil {
		return nil, apperr.Invalid("downloads", `the body must be {"downloads":[{"name":..., "version":...}]}`)
	}
	for i := range in.Downloads {
		d := &in.Downloads[i]
		d.Name = strings.ToLower(strings.TrimSpace(d.Name))
		d.Version = strings.TrimSpace(d.Version)
		if validate.PackageName(d.Name) != nil || d.Version == "" {
			return nil, apperr.Invalid("downloads", "download %d needs a valid package name and version", i)
		}
	}
	return in.Downloads, nil
}
