// Package semver reproduces composer/semver, the version rules of Composer
// and Packagist, so that Cargoman resolves, filters and orders package
// versions exactly as the Composer client will.
//
// The pieces mirror composer's classes:
//
//   - Normalize, NormalizeBranch, ParseStability (VersionParser) turn pretty
//     versions such as "v1.2.3-beta1" or branch names into the normalized
//     form "1.2.3.0-beta1" that everything else compares on.
//   - ParseConstraint (VersionParser::parseConstraints) builds a Constraint
//     (VersionConstraint, MultiConstraint, MatchAllConstraint) whose Matches
//     tests a normalized version without allocating.
//   - Compare and CompareOp (Comparator) order normalized versions with
//     PHP's version_compare, reproduced byte for byte in phpcompare.go.
//   - Satisfies, SatisfiedBy, SortVersions (Semver) are the conveniences.
//
// Composer's behaviour is kept even where it is surprising (for instance
// "1.0.0-beta" < "1.0.0" but "1.0.0-foo" is invalid, and dev-* branches
// satisfy only == and != constraints), because a registry that disagrees
// with the client serves versions the client then rejects. Error messages
// are composer's, word for word.
//
// The tests check this against composer's own test suite and against
// golden answers recorded from composer/semver running under PHP
// (testdata/golden); oracle_test.go can re-record or fuzz against a live
// PHP when one is available.
package semver
