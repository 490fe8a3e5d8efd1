package stats

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/ent/downloadstat"
	"github.com/cargoman/cargoman/ent/predicate"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/semver"
)

// Limits of the statistics queries.
const (
	// DefaultDays is the range the daily series cover when not given.
	DefaultDays = 30
	// MaxDays bounds a range: a year and a leap day.
	MaxDays = 366
	// DefaultTop and MaxTop size the top-packages list.
	DefaultTop = 10
	MaxTop     = 100
)

// Counts are the two counters, kept apart (see the package comment of
// ent/schema's DownloadStat for why they are never summed).
type Counts struct {
	Installs  int64 `sql:"sum_installs"`
	Downloads int64 `sql:"sum_downloads"`
}

// Overview is the tenant's statistics: all-time totals and the packages
// most installed in a range of days.
type Overview struct {
	Counts
	// Packages, Versions and Customers count those with any activity.
	Packages  int
	Versions  int
	Customers int
	From, To  string
	// TopPackages are the packages with the most installs (then
	// downloads) from From to To, at most the requested number.
	TopPackages []*PackageTotal
}

// PackageTotal is one package's counts.
type PackageTotal struct {
	Package string
	Counts
}

// PackageStats is one package's all-time counts, by version.
type PackageStats struct {
	Package string
	// Customer is the customer filter, when given.
	Customer *string
	Counts
	// Customers counts those with any activity.
	Customers int
	// Versions are the versions with any activity, newest first.
	Versions []*VersionTotal
}

// VersionTotal is one version's counts.
type VersionTotal struct {
	Version           string
	VersionNormalized string
	Counts
}

// VersionStats is one version's all-time counts and its daily series.
type VersionStats struct {
	Package           string
	Version           string
	VersionNormalized string
	Customer          *string
	Counts
	Customers int
	From, To  string
	// Days holds every day from From to To, those without activity too.
	Days []*DayCounts
}

// DayCounts are the counts of one UTC day.
type DayCounts struct {
	Date string
	Counts
}

// Daily is a daily series with its totals, optionally narrowed to a
// package and a customer.
type Daily struct {
	From, To string
	Package  *string
	Customer *string
	// Counts are the totals over the range.
	Counts
	// Days holds every day from From to To, those without activity too.
	Days []*DayCounts
}

// Service answers the statistics API.
type Service struct {
	client   *ent.Client
	packages *packages.Service
	rec      *Recorder
	now      func() time.Time
}

// ServiceOptions configure a Service.
type ServiceOptions struct {
	Client   *ent.Client
	Packages *packages.Service
	// Recorder, when not nil, is flushed before each read, so that what
	// this instance counted is visible at once.
	Recorder *Recorder
	// Now defaults to time.Now.
	Now func() time.Time
}

// NewService returns a Service reading through o.Client.
func NewService(o ServiceOptions) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{client: o.Client, packages: o.Packages, rec: o.Recorder, now: o.Now}
}

// flush writes this instance's pending counts before a read. A failure is
// logged by the recorder and the counts are kept; the read then shows
// what is stored, which is the best answer there is.
func (s *Service) flush(ctx context.Context) {
	_ = s.rec.Flush(ctx)
}

// Overview returns the tenant's totals and its top packages from from to
// to (default: the last DefaultDays days); top sizes the list.
func (s *Service) Overview(ctx context.Context, from, to *string, top *int) (*Overview, error) {
	r, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	n := DefaultTop
	if top != nil {
		if *top < 1 || *top > MaxTop {
			return nil, apperr.Invalid("limit", "limit must be between 1 and %d", MaxTop)
		}
		n = *top
	}
	s.flush(ctx)
	var tot []struct {
		Counts
		Packages  int `sql:"packages"`
		Versions  int `sql:"versions"`
		Customers int `sql:"customers"`
	}
	err = s.client.DownloadStat.Query().
		Modify(func(q *sql.Selector) {
			q.Select(append(sums(q),
				"COUNT(DISTINCT "+q.C(downloadstat.FieldPackageID)+") AS packages",
				"COUNT(DISTINCT "+q.C(downloadstat.FieldPackageID)+" || ' ' || "+q.C(downloadstat.FieldVersionNormalized)+") AS versions",
				"COUNT(DISTINCT "+q.C(downloadstat.FieldCustomerID)+") AS customers",
			)...)
		}).
		Scan(ctx, &tot)
	if err != nil {
		return nil, fmt.Errorf("stats: totals: %w", err)
	}
	var rows []struct {
		Name string `sql:"name"`
		Counts
	}
	err = s.client.DownloadStat.Query().
		Where(r.where()).
		Modify(func(q *sql.Selector) {
			q.Select(append(sums(q), "MAX("+q.C(downloadstat.FieldPackageName)+") AS name")...).
				GroupBy(q.C(downloadstat.FieldPackageID)).
				OrderExpr(sql.Expr("sum_installs DESC, sum_downloads DESC, name")).
				Limit(n)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("stats: top packages: %w", err)
	}
	o := &Overview{From: r.from, To: r.to, TopPackages: make([]*PackageTotal, 0, len(rows))}
	if len(tot) == 1 {
		o.Counts, o.Packages, o.Versions, o.Customers = tot[0].Counts, tot[0].Packages, tot[0].Versions, tot[0].Customers
	}
	for _, row := range rows {
		o.TopPackages = append(o.TopPackages, &PackageTotal{Package: row.Name, Counts: row.Counts})
	}
	return o, nil
}

// ofPackage resolves the package and customer a package or version
// statistic is about, writes this instance's pending counts, and returns
// the predicates selecting their counters.
func (s *Service) ofPackage(ctx context.Context, name string, customerID *string) (*ent.ComposerPackage, []predicate.DownloadStat, error) {
	p, err := s.packages.Get(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkCustomer(ctx, customerID); err != nil {
		return nil, nil, err
	}
	s.flush(ctx)
	preds := []predicate.DownloadStat{downloadstat.PackageID(p.ID)}
	if customerID != nil {
		preds = append(preds, downloadstat.CustomerID(*customerID))
	}
	return p, preds, nil
}

// Package returns a package's all-time counts and those of its versions,
// optionally of one customer. An unknown package is NOT_FOUND.
func (s *Service) Package(ctx context.Context, name string, customerID *string) (*PackageStats, error) {
	p, preds, err := s.ofPackage(ctx, name, customerID)
	if err != nil {
		return nil, err
	}
	tot, err := s.totals(ctx, preds)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Normalized string `sql:"version_normalized"`
		Version    string `sql:"version"`
		Counts
	}
	err = s.client.DownloadStat.Query().
		Where(preds...).
		Modify(func(q *sql.Selector) {
			q.Select(append(sums(q),
				q.C(downloadstat.FieldVersionNormalized)+" AS version_normalized",
				"MAX("+q.C(downloadstat.FieldVersion)+") AS version",
			)...).
				GroupBy(q.C(downloadstat.FieldVersionNormalized))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("stats: versions of %s: %w", p.Name, err)
	}
	ps := &PackageStats{Package: p.Name, Customer: customerID, Counts: tot.Counts, Customers: tot.Customers, Versions: make([]*VersionTotal, 0, len(rows))}
	norms := make([]string, 0, len(rows))
	byNorm := make(map[string]*VersionTotal, len(rows))
	for _, row := range rows {
		norms = append(norms, row.Normalized)
		byNorm[row.Normalized] = &VersionTotal{Version: row.Version, VersionNormalized: row.Normalized, Counts: row.Counts}
	}
	semver.RSortVersions(norms)
	for _, n := range norms {
		ps.Versions = append(ps.Versions, byNorm[n])
	}
	return ps, nil
}

// Version returns a version's all-time counts and its daily series from
// from to to (default: the last DefaultDays days), optionally of one
// customer. The version may be given as shown (1.1.0), normalized
// (1.1.0.0) or as its tag (v1.1.0); a version that no longer exists but
// was counted is found by its counters.
func (s *Service) Version(ctx context.Context, name, version string, customerID, from, to *string) (*VersionStats, error) {
	r, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	p, preds, err := s.ofPackage(ctx, name, customerID)
	if err != nil {
		return nil, err
	}
	shown, normalized, err := s.version(ctx, p, version)
	if err != nil {
		return nil, err
	}
	preds = append(preds, downloadstat.VersionNormalized(normalized))
	tot, err := s.totals(ctx, preds)
	if err != nil {
		return nil, err
	}
	days, _, err := s.days(ctx, r, preds)
	if err != nil {
		return nil, err
	}
	return &VersionStats{
		Package: p.Name, Version: shown, VersionNormalized: normalized, Customer: customerID,
		Counts: tot.Counts, Customers: tot.Customers, From: r.from, To: r.to, Days: days,
	}, nil
}

// version resolves a version argument to its shown and normalized forms:
// through the package's versions, or through the counters of a version
// since deleted.
func (s *Service) version(ctx context.Context, p *ent.ComposerPackage, version string) (shown, normalized string, err error) {
	v, err := s.packages.Version(ctx, p.Name, version)
	if err == nil {
		return v.Version, v.VersionNormalized, nil
	}
	if e, ok := apperr.As(err); !ok || e.Code != apperr.NotFound {
		return "", "", err
	}
	want := strings.TrimSpace(version)
	forms := []string{want}
	if n, nerr := semver.Normalize(want); nerr == nil && n != want {
		forms = append(forms, n)
	}
	c, ferr := s.client.DownloadStat.Query().
		Where(
			downloadstat.PackageID(p.ID),
			downloadstat.Or(downloadstat.VersionNormalizedIn(forms...), downloadstat.Version(want)),
		).
		Order(downloadstat.ByDay(sql.OrderDesc())).
		First(ctx)
	if ent.IsNotFound(ferr) {
		return "", "", err
	}
	if ferr != nil {
		return "", "", fmt.Errorf("stats: find counted version %q of %s: %w", want, p.Name, ferr)
	}
	return c.Version, c.VersionNormalized, nil
}

// Daily returns the daily series from from to to (default: the last
// DefaultDays days) with its totals, optionally of one package and one
// customer.
func (s *Service) Daily(ctx context.Context, from, to, pkg, customerID *string) (*Daily, error) {
	r, err := s.dayRange(from, to)
	if err != nil {
		return nil, err
	}
	var preds []predicate.DownloadStat
	d := &Daily{From: r.from, To: r.to, Customer: customerID}
	if pkg != nil {
		p, err := s.packages.Get(ctx, *pkg)
		if err != nil {
			return nil, err
		}
		d.Package = &p.Name
		preds = append(preds, downloadstat.PackageID(p.ID))
	}
	if err := s.checkCustomer(ctx, customerID); err != nil {
		return nil, err
	}
	if customerID != nil {
		preds = append(preds, downloadstat.CustomerID(*customerID))
	}
	s.flush(ctx)
	if d.Days, d.Counts, err = s.days(ctx, r, preds); err != nil {
		return nil, err
	}
	return d, nil
}

// totalRow is the result of totals.
type totalRow struct {
	Counts
	Customers int `sql:"customers"`
}

// totals sums the counters matching preds.
func (s *Service) totals(ctx context.Context, preds []predicate.DownloadStat) (totalRow, error) {
	var rows []totalRow
	err := s.client.DownloadStat.Query().
		Where(preds...).
		Modify(func(q *sql.Selector) {
			q.Select(append(sums(q), "COUNT(DISTINCT "+q.C(downloadstat.FieldCustomerID)+") AS customers")...)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return totalRow{}, fmt.Errorf("stats: totals: %w", err)
	}
	if len(rows) != 1 {
		return totalRow{}, nil
	}
	return rows[0], nil
}

// days sums the counters matching preds per day of r, filling the days
// without activity with zeros, and returns the range's totals too.
func (s *Service) days(ctx context.Context, r dayRange, preds []predicate.DownloadStat) ([]*DayCounts, Counts, error) {
	var rows []struct {
		Day string `sql:"day"`
		Counts
	}
	err := s.client.DownloadStat.Query().
		Where(append(preds, r.where())...).
		Modify(func(q *sql.Selector) {
			q.Select(append(sums(q), q.C(downloadstat.FieldDay)+" AS day")...).
				GroupBy(q.C(downloadstat.FieldDay))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, Counts{}, fmt.Errorf("stats: daily series: %w", err)
	}
	byDay := make(map[string]Counts, len(rows))
	for _, row := range rows {
		byDay[row.Day] = row.Counts
	}
	var total Counts
	out := make([]*DayCounts, 0, r.days)
	for d := r.start; !d.After(r.end); d = d.AddDate(0, 0, 1) {
		day := d.Format(DayLayout)
		c := byDay[day]
		total.Installs += c.Installs
		total.Downloads += c.Downloads
		out = append(out, &DayCounts{Date: day, Counts: c})
	}
	return out, total, nil
}

// sums selects the two counters' sums. CAST keeps PostgreSQL's SUM of a
// bigint (numeric) and SQLite's scanning the same int64; COALESCE turns
// the SUM of no rows into 0.
func sums(q *sql.Selector) []string {
	return []string{
		"CAST(COALESCE(SUM(" + q.C(downloadstat.FieldInstalls) + "), 0) AS BIGINT) AS sum_installs",
		"CAST(COALESCE(SUM(" + q.C(downloadstat.FieldDownloads) + "), 0) AS BIGINT) AS sum_downloads",
	}
}

// checkCustomer makes a customer filter NOT_FOUND when it names neither a
// customer nor one that was counted before it was deleted.
func (s *Service) checkCustomer(ctx context.Context, id *string) error {
	if id == nil {
		return nil
	}
	ok, err := s.client.Customer.Query().Where(customer.ID(*id)).Exist(ctx)
	if err == nil && !ok {
		ok, err = s.client.DownloadStat.Query().Where(downloadstat.CustomerID(*id)).Exist(ctx)
	}
	if err != nil {
		return fmt.Errorf("stats: look up customer %q: %w", *id, err)
	}
	if !ok {
		return apperr.NotFoundf("customer %q not found", *id)
	}
	return nil
}

// dayRange is an inclusive range of UTC days.
type dayRange struct {
	from, to   string
	start, end time.Time
	days       int
}

func (r dayRange) where() predicate.DownloadStat {
	return downloadstat.And(downloadstat.DayGTE(r.from), downloadstat.DayLTE(r.to))
}

// dayRange reads the from and to arguments (YYYY-MM-DD, inclusive). to
// defaults to today (UTC), from to DefaultDays days ending at to.
func (s *Service) dayRange(from, to *string) (dayRange, error) {
	var r dayRange
	var err error
	if to != nil {
		if r.end, err = parseDay("to", *to); err != nil {
			return r, err
		}
	} else {
		now := s.now().UTC()
		r.end = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	if from != nil {
		if r.start, err = parseDay("from", *from); err != nil {
			return r, err
		}
	} else {
		r.start = r.end.AddDate(0, 0, -(DefaultDays - 1))
	}
	if r.end.Before(r.start) {
		return r, apperr.Invalid("to", "to (%s) is before from (%s)", r.end.Format(DayLayout), r.start.Format(DayLayout))
	}
	r.days = int(r.end.Sub(r.start).Hours()/24) + 1
	if r.days > MaxDays {
		return r, apperr.Invalid("from", "the range from %s to %s spans %d days; at most %d are allowed",
			r.start.Format(DayLayout), r.end.Format(DayLayout), r.days, MaxDays)
	}
	r.from, r.to = r.start.Format(DayLayout), r.end.Format(DayLayout)
	return r, nil
}

// parseDay reads a YYYY-MM-DD argument.
func parseDay(field, v string) (time.Time, error) {
	t, err := time.Parse(DayLayout, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "%s must be a date as YYYY-MM-DD, not %q", field, v)
	}
	return t, nil
}
