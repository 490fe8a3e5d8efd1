package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/cargoman/cargoman/ent"
)

// InTx runs fn with a client bound to a new transaction: committed when fn
// returns nil, rolled back (with fn's error returned) otherwise.
func InTx(ctx context.Context, c *ent.Client, fn func(*ent.Client) error) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	if err := fn(tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("database: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}
