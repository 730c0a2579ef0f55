package migrate

import (
	"fmt"

	"golang.org/x/mod/semver"
)

// checkVersion reports whether v is a strict semantic version of the form
// MAJOR.MINOR.PATCH: three decimal numbers without leading zeros, no "v"
// prefix, no pre-release and no build metadata. The error wraps
// ErrInvalidVersion and names v and what it belongs to.
func checkVersion(what, v string) error {
	sv := "v" + v
	if v == "" || !semver.IsValid(sv) || semver.Canonical(sv) != sv || semver.Prerelease(sv) != "" {
		return fmt.Errorf("%w: %s %q: want MAJOR.MINOR.PATCH, e.g. 1.4.0", ErrInvalidVersion, what, v)
	}
	return nil
}

// compareVersions orders two versions already accepted by checkVersion
// numerically (1.10.0 > 1.9.0). It returns -1, 0 or +1. The empty string, used
// for "no version" (a fresh database), sorts before every version.
func compareVersions(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	return semver.Compare("v"+a, "v"+b)
}
