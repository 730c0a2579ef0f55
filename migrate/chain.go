package migrate

import (
	"errors"
	"fmt"
	"slices"
)

// chain is a validated list of migrations: the plan Up follows. Building it
// refuses, before anything runs, every list that is not one chain.
type chain struct {
	baselines map[string]Migration // by version
	incs      map[string]Migration // by version
	byFrom    map[string]Migration // incremental by the version it starts from
	newest    Migration            // the newest baseline (valid when len(baselines) > 0)
	target    string               // the highest version of all
	reach     map[string]bool      // versions from which target can be reached
}

// CheckChain reports whether ms form a valid chain, by the rules Up applies
// before running anything:
//   - every version (and every incremental's from) is MAJOR.MINOR.PATCH
//     (ErrInvalidVersion);
//   - no two baselines and no two incrementals share a version
//     (ErrDuplicateVersion; a baseline and an incremental may share one: they
//     are two roads to the same schema);
//   - a non-empty list has a baseline; each incremental moves forward
//     (version > from); no two incrementals start from the same version; the
//     newest baseline reaches the highest version through incrementals (no
//     missing link); and every incremental above the newest baseline is
//     either the highest version or the from of another incremental (none
//     leads nowhere) — all ErrBrokenChain.
//
// An incremental's from need not be in the list (older migrations may be
// dropped once every database is past them), and older baselines may be kept
// (their checksums are still verified). Older lineage may be kept too: after
// squashing, an earlier baseline and its incrementals, up to a version no
// higher than the newest baseline, may end where no incremental leads on.
// That is not an error here: a fresh database gets the newest baseline, a
// database on a line that still joins the newest one goes on, and a database
// on a line that cannot reach the newest version gets ErrNoPath at its own
// Up. Unreachable lists those versions, so tools can warn about them. An
// empty list is a valid chain with nothing to apply. The error joins every
// problem found; each wraps its sentinel.
func CheckChain(ms []Migration) error {
	_, err := newChain(ms)
	return err
}

func newChain(ms []Migration) (*chain, error) {
	c := &chain{
		baselines: make(map[string]Migration),
		incs:      make(map[string]Migration),
		byFrom:    make(map[string]Migration),
	}
	var errs []error
	for i, m := range ms {
		switch m.kind {
		case KindBaseline:
			if err := checkVersion("baseline version", m.version); err != nil {
				errs = append(errs, err)
				continue
			}
			if _, dup := c.baselines[m.version]; dup {
				errs = append(errs, fmt.Errorf("%w: two baselines with version %s", ErrDuplicateVersion, m.version))
				continue
			}
			c.baselines[m.version] = m
		case KindIncremental:
			err := errors.Join(
				checkVersion("incremental version", m.version),
				checkVersion("from of incremental "+m.version, m.from))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if compareVersions(m.version, m.from) <= 0 {
				errs = append(errs, fmt.Errorf("%w: incremental %s does not move forward from %s", ErrBrokenChain, m.version, m.from))
				continue
			}
			if _, dup := c.incs[m.version]; dup {
				errs = append(errs, fmt.Errorf("%w: two incrementals with version %s", ErrDuplicateVersion, m.version))
				continue
			}
			if other, fork := c.byFrom[m.from]; fork {
				errs = append(errs, fmt.Errorf("%w: incrementals %s and %s both start from %s", ErrBrokenChain, other.version, m.version, m.from))
				continue
			}
			c.incs[m.version] = m
			c.byFrom[m.from] = m
		default:
			errs = append(errs, fmt.Errorf("%w: migration #%d is the zero Migration (use Baseline or Incremental)", ErrBrokenChain, i))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(ms) == 0 {
		return c, nil
	}
	if len(c.baselines) == 0 {
		return nil, fmt.Errorf("%w: no baseline: a fresh database has nowhere to start", ErrBrokenChain)
	}
	for v, b := range c.baselines {
		if c.newest.kind == "" || compareVersions(v, c.newest.version) > 0 {
			c.newest = b
		}
		if compareVersions(v, c.target) > 0 {
			c.target = v
		}
	}
	for v := range c.incs {
		if compareVersions(v, c.target) > 0 {
			c.target = v
		}
	}
	for v := c.newest.version; v != c.target; {
		inc, ok := c.byFrom[v]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: missing link: no incremental from %s, so the newest baseline %s cannot reach %s",
				ErrBrokenChain, v, c.newest.version, c.target))
			break
		}
		v = inc.version
	}
	for _, v := range c.sortedIncs() {
		// A dead end at or below the newest baseline is older lineage, kept
		// after squashing; above it, it is a mistake in the list.
		if _, ok := c.byFrom[v]; !ok && v != c.target && compareVersions(v, c.newest.version) > 0 {
			errs = append(errs, fmt.Errorf("%w: incremental %s leads nowhere: no incremental starts from %s and it is not the newest version %s",
				ErrBrokenChain, v, v, c.target))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.reach = make(map[string]bool)
	for _, v := range c.known() {
		c.reaches(v)
	}
	return c, nil
}

// Unreachable returns, in version order, the versions named in ms (of
// baselines, of incrementals, and the froms of incrementals) from which the
// newest version cannot be reached: the older lineage CheckChain allows. A
// database at one of them gets ErrNoPath from Up. The error is CheckChain's;
// the list is then nil.
func Unreachable(ms []Migration) ([]string, error) {
	c, err := newChain(ms)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range c.known() {
		if !c.reach[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

// known returns every version the chain names, sorted.
func (c *chain) known() []string {
	set := make(map[string]bool)
	for v := range c.baselines {
		set[v] = true
	}
	for v, m := range c.incs {
		set[v], set[m.from] = true, true
	}
	vs := make([]string, 0, len(set))
	for v := range set {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, compareVersions)
	return vs
}

// reaches reports whether the target can be reached from v through
// incrementals, and records the answer for v and every version on its way.
// Incrementals move forward, so the walk ends.
func (c *chain) reaches(v string) bool {
	var seen []string
	ok := false
	for {
		if r, done := c.reach[v]; done {
			ok = r
			break
		}
		seen = append(seen, v)
		if v == c.target {
			ok = true
			break
		}
		inc, found := c.byFrom[v]
		if !found {
			break
		}
		v = inc.version
	}
	for _, s := range seen {
		c.reach[s] = ok
	}
	return ok
}

// lineEnd is the last version of the line of incrementals through v.
func (c *chain) lineEnd(v string) string {
	for {
		inc, ok := c.byFrom[v]
		if !ok {
			return v
		}
		v = inc.version
	}
}

func (c *chain) sortedIncs() []string {
	vs := make([]string, 0, len(c.incs))
	for v := range c.incs {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, compareVersions)
	return vs
}

// empty reports whether the chain has no migrations at all.
func (c *chain) empty() bool { return len(c.baselines) == 0 && len(c.incs) == 0 }

// lookup finds the migration of that kind and version, for checksum checks.
func (c *chain) lookup(kind Kind, version string) (Migration, bool) {
	var m Migration
	var ok bool
	switch kind {
	case KindBaseline:
		m, ok = c.baselines[version]
	case KindIncremental:
		m, ok = c.incs[version]
	}
	return m, ok
}

// next returns the migration to apply to a database at version current ("" =
// fresh), or ok == false when the database is at the chain's newest version
// (or the chain is empty). A database whose version no incremental starts
// from gets ErrNoPath, or ErrDatabaseAhead when it is beyond the newest version.
func (c *chain) next(current string) (m Migration, ok bool, err error) {
	if c.empty() {
		return Migration{}, false, nil
	}
	if current == "" {
		return c.newest, true, nil
	}
	if current == c.target {
		return Migration{}, false, nil
	}
	if compareVersions(current, c.target) > 0 {
		return Migration{}, false, fmt.Errorf("%w: database is at %s, the newest migration is %s", ErrDatabaseAhead, current, c.target)
	}
	if inc, ok := c.byFrom[current]; ok && c.reach[current] {
		return inc, true, nil
	}
	if _, known := c.reach[current]; known {
		end := c.lineEnd(current)
		return Migration{}, false, fmt.Errorf("%w: database is at %s, on an older line of migrations that ends at %s and cannot reach %s "+
			"(the newest line starts at baseline %s); add an incremental from %s, or rebuild the database from the newest baseline",
			ErrNoPath, current, end, c.target, c.newest.version, end)
	}
	return Migration{}, false, fmt.Errorf("%w: database is at %s and no incremental starts from it (newest is %s)", ErrNoPath, current, c.target)
}

// path returns every migration that would run, in order, on a database at
// version current.
func (c *chain) path(current string) ([]Migration, error) {
	var out []Migration
	for {
		m, ok, err := c.next(current)
		if err != nil || !ok {
			return out, err
		}
		out = append(out, m)
		current = m.version
	}
}
