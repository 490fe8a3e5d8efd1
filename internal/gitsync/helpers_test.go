package gitsync_test

import (
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/internal/packages"
)

func createInput(repo string) packages.CreateInput {
	return packages.CreateInput{Name: "bench/lib", Type: composerpackage.TypeGit, RepositoryURL: &repo}
}
