package packages

import (
	"context"
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/credential"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/ids"
)

// MaxSecretLen bounds a credential's secret (an SSH private key fits).
const MaxSecretLen = 16 << 10

// CreateCredential stores a repository credential, its secret encrypted
// and bound to the credential's id.
func (s *Service) CreateCredential(ctx context.Context, name string, kind credential.Kind, username *string, plain string) (*ent.Credential, error) {
	switch {
	case strings.TrimSpace(plain) == "":
		return nil, apperr.Invalid("secret", "secret must not be empty")
	case len(plain) > MaxSecretLen:
		return nil, apperr.Invalid("secret", "secret must be at most %d bytes", MaxSecretLen)
	case kind == credential.KindSSHKey && !strings.Contains(plain, "PRIVATE KEY-----"):
		return nil, apperr.Invalid("secret", "an ssh_key credential takes a PEM or OpenSSH private key")
	}
	id := ids.New(ids.Credential)
	sealed, err := s.box.Seal([]byte(plain), []byte(id))
	if err != nil {
		return nil, fmt.Errorf("packages: seal credential: %w", err)
	}
	return s.client.Credential.Create().
		SetID(id).
		SetName(strings.TrimSpace(name)).
		SetKind(kind).
		SetNillableUsername(username).
		SetSecret(sealed).
		Save(ctx)
}
