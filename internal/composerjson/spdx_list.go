package composerjson

import (
	"github.com/cargoman/cargoman/internal/phpstr"

	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

// The SPDX lists Composer itself validates against; see spdxdata/README.md.
var (
	//go:embed spdxdata/spdx-licenses.json
	spdxLicensesJSON []byte
	//go:embed spdxdata/spdx-exceptions.json
	spdxExceptionsJSON []byte
)

// License is an entry of the SPDX license list.
type License struct {
	ID          string // canonical spelling, e.g. "GPL-3.0-or-later"
	Name        string
	OSIApproved bool
	Deprecated  bool
}

// LicenseException is an entry of the SPDX license exception list (used after WITH).
type LicenseException struct {
	ID   string
	Name string
}

type spdxLists struct {
	licenses   map[string]License          // keyed by lower-cased ID
	exceptions map[string]LicenseException // keyed by lower-cased ID
}

// loadSPDX decodes the embedded lists once, on first use. The data is part of
// the binary, so a decoding failure is a build defect and panics (tests catch it).
var loadSPDX = sync.OnceValue(func() spdxLists {
	lists, err := decodeSPDX(spdxLicensesJSON, spdxExceptionsJSON)
	if err != nil {
		panic("composerjson: embedded SPDX data: " + err.Error())
	}
	return lists
})

func decodeSPDX(licensesJSON, exceptionsJSON []byte) (spdxLists, error) {
	// Entries are JSON arrays: [name, osi approved, deprecated] and [name].
	var licenses map[string][3]json.RawMessage
	var rawExceptions map[string][1]string
	if err := json.Unmarshal(licensesJSON, &licenses); err != nil {
		return spdxLists{}, fmt.Errorf("licenses: %w", err)
	}
	if err := json.Unmarshal(exceptionsJSON, &rawExceptions); err != nil {
		return spdxLists{}, fmt.Errorf("exceptions: %w", err)
	}
	lists := spdxLists{
		licenses:   make(map[string]License, len(licenses)),
		exceptions: make(map[string]LicenseException, len(rawExceptions)),
	}
	for id, entry := range licenses {
		l := License{ID: id}
		for i, dst := range []any{&l.Name, &l.OSIApproved, &l.Deprecated} {
			if err := json.Unmarshal(entry[i], dst); err != nil {
				return spdxLists{}, fmt.Errorf("license %s field %d: %w", id, i, err)
			}
		}
		lists.licenses[phpstr.Lower(id)] = l
	}
	for id, entry := range rawExceptions {
		lists.exceptions[phpstr.Lower(id)] = LicenseException{ID: id, Name: entry[0]}
	}
	if len(lists.licenses) == 0 || len(lists.exceptions) == 0 {
		return spdxLists{}, fmt.Errorf("empty list")
	}
	return lists, nil
}

// LookupLicense finds an SPDX license by identifier, ignoring case as
// Composer does ("mit" finds "MIT").
func LookupLicense(id string) (License, bool) {
	l, ok := loadSPDX().licenses[phpstr.Lower(id)]
	return l, ok
}

// LookupLicenseException finds an SPDX license exception by identifier, ignoring case.
func LookupLicenseException(id string) (LicenseException, bool) {
	e, ok := loadSPDX().exceptions[phpstr.Lower(id)]
	return e, ok
}
