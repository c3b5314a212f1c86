package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-okr/cairn"
)

const orgColumns = `id, name, slug, at_risk_gap, created_at`

func scanOrg(s interface{ Scan(...any) error }) (*cairn.Org, error) {
	var o cairn.Org
	if err := s.Scan(&o.ID, &o.Name, &o.Slug, &o.AtRiskGap, &o.CreatedAt); err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

func slugConflict(err error, o *cairn.Org) error {
	if kind, _ := violation(err); kind == violUnique {
		return &cairn.Error{Code: cairn.ECONFLICT, Field: "slug", Message: "an organization with slug " + o.Slug + " exists already"}
	}
	return err
}

// CreateOrg creates the organization and makes creatorID its admin, in one transaction. It
// fails with ECONFLICT on a duplicate slug. A creatorID of 0 creates no membership.
func (db *DB) CreateOrg(ctx context.Context, o *cairn.Org, creatorID int64) error {
	if err := o.Validate(); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create org", func(r runner) error {
		err := r.queryRow(ctx, `INSERT INTO orgs (name, slug, at_risk_gap, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			o.Name, o.Slug, o.AtRiskGap, now).Scan(&o.ID)
		if err != nil {
			return slugConflict(err, o)
		}
		if creatorID != 0 {
			_, err = r.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
				o.ID, creatorID, cairn.RoleAdmin, now)
			if kind, _ := violation(err); kind == violForeign {
				return cairn.NotFound("user", creatorID)
			}
			if err != nil {
				return err
			}
		}
		o.CreatedAt = now
		return nil
	})
}

func (db *DB) orgBy(ctx context.Context, op, where string, arg any) (*cairn.Org, error) {
	o, err := scanOrg(db.read().queryRow(ctx, `SELECT `+orgColumns+` FROM orgs WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("organization", arg)
	}
	if err != nil {
		return nil, db.wrap(op, err)
	}
	return o, nil
}

// OrgByID returns an organization by id.
func (db *DB) OrgByID(ctx context.Context, id int64) (*cairn.Org, error) {
	return db.orgBy(ctx, "org by id", `id = ?`, id)
}

// OrgBySlug returns an organization by slug.
func (db *DB) OrgBySlug(ctx context.Context, slug string) (*cairn.Org, error) {
	return db.orgBy(ctx, "org by slug", `slug = ?`, slug)
}

// ListOrgs lists every organization when userID is 0, else those the user belongs to, by
// name.
func (db *DB) ListOrgs(ctx context.Context, userID int64) ([]*cairn.Org, error) {
	q, args := `SELECT `+orgColumns+` FROM orgs ORDER BY name, id`, []any(nil)
	if userID != 0 {
		q = `SELECT ` + orgColumns + ` FROM orgs WHERE id IN (SELECT org_id FROM memberships WHERE user_id = ?) ORDER BY name, id`
		args = []any{userID}
	}
	rows, err := db.read().query(ctx, q, args...)
	if err != nil {
		return nil, db.wrap("list orgs", err)
	}
	defer rows.Close()
	orgs := []*cairn.Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, db.wrap("list orgs", err)
		}
		orgs = append(orgs, o)
	}
	return orgs, db.wrap("list orgs", rows.Err())
}

// UpdateOrg stores an organization's name, slug and at-risk threshold.
func (db *DB) UpdateOrg(ctx context.Context, o *cairn.Org) error {
	if err := o.Validate(); err != nil {
		return err
	}
	n, err := db.write().affected(ctx, `UPDATE orgs SET name = ?, slug = ?, at_risk_gap = ? WHERE id = ?`,
		o.Name, o.Slug, o.AtRiskGap, o.ID)
	if err != nil {
		return db.wrap("update org", slugConflict(err, o))
	}
	if n == 0 {
		return cairn.NotFound("organization", o.ID)
	}
	return nil
}

// DeleteOrg deletes an organization with everything in it: members, teams, periods, OKRs
// and check-ins.
func (db *DB) DeleteOrg(ctx context.Context, id int64) error {
	n, err := db.write().affected(ctx, `DELETE FROM orgs WHERE id = ?`, id)
	if err != nil {
		return db.wrap("delete org", err)
	}
	if n == 0 {
		return cairn.NotFound("organization", id)
	}
	return nil
}
