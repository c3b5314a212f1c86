package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// adminOnly refuses members and viewers with a page that says why.
func adminOnly(q *request, what string) error {
	if !q.isAdmin() {
		return cairn.Errorf(cairn.EFORBIDDEN, "only an organization admin may %s", what)
	}
	return nil
}

// settingsForm is the organization settings page.
type settingsForm struct {
	Name      string
	AtRiskGap string
	Errs      map[string]string
	Saved     bool
	Azdo      *orgIntegration
	// Rebind is the re-bind checklist, which the page shows below the form.
	Rebind *rebindList
}

func (u *UI) adminSettings(q *request) error {
	if err := adminOnly(q, "change the organization's settings"); err != nil {
		return err
	}
	f, err := u.settings(q)
	if err != nil {
		return err
	}
	f.Saved = q.r.URL.Query().Get("saved") == "1"
	if f.Rebind, err = u.rebindList(q); err != nil {
		return err
	}
	return u.render(q, http.StatusOK, "admin_settings", "Settings · "+q.org.Name, "admin", f)
}

// settings loads the settings form as stored.
func (u *UI) settings(q *request) (*settingsForm, error) {
	f := &settingsForm{Name: q.org.Name, AtRiskGap: strconv.FormatFloat(q.org.AtRiskGap*100, 'f', -1, 64)}
	az, err := u.orgIntegration(q)
	if err != nil {
		return nil, err
	}
	f.Azdo = az
	return f, nil
}

func (u *UI) saveSettings(q *request) error {
	if err := adminOnly(q, "change the organization's settings"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	f := settingsForm{Name: v.Get("name"), AtRiskGap: v.Get("at_risk_gap"), Errs: map[string]string{}}
	up := cairn.OrgUpdate{Name: &f.Name}
	gap, err := parseNumber(f.AtRiskGap)
	switch {
	case strings.TrimSpace(f.AtRiskGap) == "":
		f.Errs["at_risk_gap"] = "enter the shortfall, in percent, beyond which an item is at risk"
	case err != nil:
		f.Errs["at_risk_gap"] = strconv.Quote(f.AtRiskGap) + " is not a number"
	default:
		g := gap / 100
		up.AtRiskGap = &g
	}
	if len(f.Errs) == 0 {
		if _, err := u.svc.UpdateOrg(q.r.Context(), q.org.Slug, up); err != nil {
			field := cairn.ErrorField(err)
			if field == "" {
				return err
			}
			f.Errs[field] = strings.Replace(cairn.ErrorMessage(err), "at_risk_gap must be above 0 and at most 1", "the at-risk threshold must be above 0 % and at most 100 %", 1)
		}
	}
	if len(f.Errs) == 0 {
		if err := u.saveOrgIntegration(q, f.Errs); err != nil {
			return err
		}
	}
	if len(f.Errs) > 0 {
		az, err := u.orgIntegration(q)
		if err != nil {
			return err
		}
		f.Azdo = az
		if f.Rebind, err = u.rebindList(q); err != nil {
			return err
		}
		return u.render(q, http.StatusUnprocessableEntity, "admin_settings", "Settings · "+q.org.Name, "admin", f)
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin?saved=1")
}

// membersData is the members page.
type membersData struct {
	Members []*cairn.Member
	Roles   []cairn.Role
	Form    memberForm
	Self    int64
	// Accounts are the members with an account, which an unclaimed member can be claimed
	// for; Unclaimed counts the others.
	Accounts  []*cairn.Member
	Unclaimed int
	Claimed   bool
}

type memberForm struct {
	Email, Name, Role string
	FormID            string
	Errs              map[string]string
	General           string
}

func (u *UI) membersPage(q *request) error {
	if err := adminOnly(q, "manage members"); err != nil {
		return err
	}
	return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID()}, http.StatusOK)
}

func (u *UI) showMembers(q *request, f memberForm, status int) error {
	ms, err := u.svc.ListMembers(q.r.Context(), q.org.Slug)
	if err != nil {
		return err
	}
	slices.SortFunc(ms, func(a, b *cairn.Member) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	d := membersData{Members: ms, Roles: []cairn.Role{cairn.RoleAdmin, cairn.RoleMember, cairn.RoleViewer}, Form: f, Self: q.user.ID,
		Claimed: status == http.StatusOK && q.r.URL.Query().Get("claimed") == "1"}
	for _, m := range ms {
		if m.Unclaimed {
			d.Unclaimed++
		} else {
			d.Accounts = append(d.Accounts, m)
		}
	}
	return u.render(q, status, "admin_members", "Members · "+q.org.Name, "admin", d)
}

func (u *UI) addMember(q *request) error {
	if err := adminOnly(q, "manage members"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	f := memberForm{Email: v.Get("email"), Name: v.Get("name"), Role: v.Get("role"), FormID: v.Get("form_id"), Errs: map[string]string{}}
	if _, ok := u.forms.claim(f.FormID); !ok {
		return u.redirect(q, "/o/"+q.org.Slug+"/admin/members")
	}
	_, err := u.svc.AddMember(q.r.Context(), q.org.Slug, cairn.NewMember{Email: f.Email, Name: f.Name, Role: cairn.Role(f.Role), Password: v.Get("password")})
	if err != nil {
		u.forms.release(f.FormID)
		switch field := cairn.ErrorField(err); {
		case field != "":
			f.Errs[field] = cairn.ErrorMessage(err)
		case cairn.ErrorCode(err) == cairn.ECONFLICT:
			f.Errs["email"] = cairn.ErrorMessage(err)
		default:
			return err
		}
		return u.showMembers(q, f, http.StatusUnprocessableEntity)
	}
	u.forms.done(f.FormID, "/o/"+q.org.Slug+"/admin/members")
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/members")
}

func (u *UI) updateMember(q *request) error {
	if err := adminOnly(q, "manage members"); err != nil {
		return err
	}
	uid, err := parseID(q.r.PathValue("uid"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	role := cairn.Role(q.r.PostForm.Get("role"))
	if _, err := u.svc.UpdateMember(q.r.Context(), q.org.Slug, uid, cairn.MemberUpdate{Role: &role}); err != nil {
		if code := cairn.ErrorCode(err); code == cairn.EINVALID || code == cairn.ECONFLICT {
			return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: cairn.ErrorMessage(err)}, http.StatusUnprocessableEntity)
		}
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/members")
}

func (u *UI) removeMember(q *request) error {
	if err := adminOnly(q, "manage members"); err != nil {
		return err
	}
	uid, err := parseID(q.r.PathValue("uid"))
	if err != nil {
		return err
	}
	if err := u.svc.RemoveMember(q.r.Context(), q.org.Slug, uid); err != nil {
		if code := cairn.ErrorCode(err); code == cairn.EINVALID || code == cairn.ECONFLICT {
			return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: cairn.ErrorMessage(err)}, http.StatusUnprocessableEntity)
		}
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/members")
}

// claimMember merges an unclaimed member, whom an import named, into an account: a member
// picked from the list, or the account of an email (made when none has it).
func (u *UI) claimMember(q *request) error {
	if err := adminOnly(q, "claim members"); err != nil {
		return err
	}
	uid, err := parseID(q.r.PathValue("uid"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	in := cairn.ClaimInput{Email: q.r.PostForm.Get("email")}
	if v := strings.TrimSpace(q.r.PostForm.Get("user_id")); v != "" {
		if in.UserID, err = strconv.ParseInt(v, 10, 64); err != nil || in.UserID <= 0 {
			return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: "choose a member from the list"}, http.StatusUnprocessableEntity)
		}
	}
	if in.UserID == 0 && strings.TrimSpace(in.Email) == "" {
		return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: "to claim an imported member, choose a member from the list or enter an email"}, http.StatusUnprocessableEntity)
	}
	if in.UserID != 0 && strings.TrimSpace(in.Email) != "" {
		return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: "claim for a member from the list or for an email, not both"}, http.StatusUnprocessableEntity)
	}
	if _, err := u.svc.ClaimMember(q.r.Context(), q.org.Slug, uid, in); err != nil {
		if code := cairn.ErrorCode(err); code == cairn.EINVALID || code == cairn.ECONFLICT {
			return u.showMembers(q, memberForm{Role: string(cairn.RoleMember), FormID: newFormID(), General: cairn.ErrorMessage(err)}, http.StatusUnprocessableEntity)
		}
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/members?claimed=1")
}

// unlockMember lifts a sign-in lock on the member's email.
func (u *UI) unlockMember(q *request) error {
	if err := adminOnly(q, "manage members"); err != nil {
		return err
	}
	uid, err := parseID(q.r.PathValue("uid"))
	if err != nil {
		return err
	}
	if err := u.svc.UnlockMember(q.r.Context(), q.org.Slug, uid); err != nil {
		return err
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/members")
}

// periodsData is the periods page.
type periodsData struct {
	Periods []*cairn.Period
	Form    periodForm
}

type periodForm struct {
	Name, Start, End string
	FormID           string
	Errs             map[string]string
}

func (u *UI) periodsPage(q *request) error {
	if err := adminOnly(q, "manage periods"); err != nil {
		return err
	}
	now := u.now()
	qs := (int(now.Month()) - 1) / 3
	start := cairn.DateOf(now).Time().AddDate(0, -(int(now.Month())-1)%3, -(now.Day() - 1))
	next := start.AddDate(0, 3, 0)
	f := periodForm{Name: "Q" + strconv.Itoa((qs+1)%4+1) + " " + strconv.Itoa(next.Year()), Start: dateInput(next), End: dateInput(next.AddDate(0, 3, -1)), FormID: newFormID()}
	return u.showPeriods(q, f, http.StatusOK)
}

func (u *UI) showPeriods(q *request, f periodForm, status int) error {
	ps, err := u.svc.ListPeriods(q.r.Context(), q.org.Slug)
	if err != nil {
		return err
	}
	slices.SortFunc(ps, func(a, b *cairn.Period) int { return b.Start.Time().Compare(a.Start.Time()) })
	return u.render(q, status, "admin_periods", "Periods · "+q.org.Name, "admin", periodsData{Periods: ps, Form: f})
}

func (u *UI) createPeriod(q *request) error {
	if err := adminOnly(q, "manage periods"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	f := periodForm{Name: v.Get("name"), Start: v.Get("start"), End: v.Get("end"), FormID: v.Get("form_id"), Errs: map[string]string{}}
	p := &cairn.Period{Name: f.Name}
	var err error
	if strings.TrimSpace(f.Start) == "" {
		f.Errs["start"] = "start is required"
	} else if p.Start, err = cairn.ParseDate(f.Start); err != nil {
		f.Errs["start"] = strconv.Quote(f.Start) + " is not a date like 2026-07-01"
	}
	if strings.TrimSpace(f.End) == "" {
		f.Errs["end"] = "end is required"
	} else if p.End, err = cairn.ParseDate(f.End); err != nil {
		f.Errs["end"] = strconv.Quote(f.End) + " is not a date like 2026-09-30"
	}
	if len(f.Errs) == 0 {
		if _, ok := u.forms.claim(f.FormID); !ok {
			return u.redirect(q, "/o/"+q.org.Slug+"/admin/periods")
		}
		if err := u.svc.CreatePeriod(q.r.Context(), q.org.Slug, p); err != nil {
			u.forms.release(f.FormID)
			field := cairn.ErrorField(err)
			if field == "" {
				return err
			}
			f.Errs[field] = cairn.ErrorMessage(err)
		}
	}
	if len(f.Errs) > 0 {
		return u.showPeriods(q, f, http.StatusUnprocessableEntity)
	}
	u.forms.done(f.FormID, "/o/"+q.org.Slug+"/admin/periods")
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/periods")
}

// scoreRow is one objective or key result of the closing review.
type scoreRow struct {
	Type      cairn.ItemType
	ID        int64
	Title     string
	Progress  float64
	Suggested string
	Value     string
	Status    progress.Status
	Err       string
}

type closeData struct {
	Period *cairn.Period
	Rows   []scoreRow
	Error  string
}

func (u *UI) loadClose(q *request) (*closeData, error) {
	ctx := q.r.Context()
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p, err := u.svc.Period(ctx, q.org.Slug, id)
	if err != nil {
		return nil, err
	}
	if p.Closed() {
		return nil, cairn.Errorf(cairn.ECONFLICT, "period %q is closed already", p.Name)
	}
	objs, err := u.svc.ListObjectives(ctx, q.org.Slug, cairn.ObjectiveQuery{PeriodID: id})
	if err != nil {
		return nil, err
	}
	krs, err := u.svc.ListKeyResults(ctx, q.org.Slug, 0, id)
	if err != nil {
		return nil, err
	}
	byObj := map[int64][]*cairn.KeyResultView{}
	for _, k := range krs {
		byObj[k.ObjectiveID] = append(byObj[k.ObjectiveID], k)
	}
	d := &closeData{Period: p}
	score := func(p float64) string { return strconv.FormatFloat(progress.SuggestedScore(p), 'f', 2, 64) }
	for _, o := range objs {
		d.Rows = append(d.Rows, scoreRow{Type: cairn.ItemObjective, ID: o.ID, Title: o.Title, Progress: o.Progress, Suggested: score(o.Progress), Status: o.Status})
		for _, k := range byObj[o.ID] {
			d.Rows = append(d.Rows, scoreRow{Type: cairn.ItemKeyResult, ID: k.ID, Title: k.Title, Progress: k.Progress, Suggested: score(k.Progress), Status: k.Status})
		}
	}
	return d, nil
}

func (u *UI) closePeriodPage(q *request) error {
	if err := adminOnly(q, "close periods"); err != nil {
		return err
	}
	d, err := u.loadClose(q)
	if err != nil {
		return err
	}
	for i := range d.Rows {
		d.Rows[i].Value = d.Rows[i].Suggested
	}
	return u.render(q, http.StatusOK, "admin_close", "Close "+d.Period.Name, "admin", d)
}

func (u *UI) closePeriod(q *request) error {
	if err := adminOnly(q, "close periods"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	d, err := u.loadClose(q)
	if err != nil {
		return err
	}
	var overrides []cairn.Score
	bad := false
	for i := range d.Rows {
		r := &d.Rows[i]
		r.Value = strings.TrimSpace(q.r.PostForm.Get("score-" + string(r.Type) + "-" + strconv.FormatInt(r.ID, 10)))
		if r.Value == "" || r.Value == r.Suggested {
			r.Value = r.Suggested
			continue
		}
		v, err := parseNumber(r.Value)
		if err != nil || v < 0 || v > 1 {
			r.Err = "a score is a number from 0 to 1, like 0.7"
			bad = true
			continue
		}
		overrides = append(overrides, cairn.Score{Item: cairn.Ref{Type: r.Type, ID: r.ID}, Value: v})
	}
	if !bad {
		if _, _, err := u.svc.ClosePeriod(q.r.Context(), q.org.Slug, d.Period.ID, overrides); err != nil {
			if cairn.ErrorField(err) == "" {
				return err
			}
			d.Error = cairn.ErrorMessage(err)
			bad = true
		}
	}
	if bad {
		return u.render(q, http.StatusUnprocessableEntity, "admin_close", "Close "+d.Period.Name, "admin", d)
	}
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/periods")
}

// teamsData is the teams page.
type teamsData struct {
	Teams   []*cairn.Team
	Members map[int64]string
	Form    struct {
		Name   string
		FormID string
		Err    string
	}
}

func (u *UI) teamsPage(q *request) error {
	if err := adminOnly(q, "manage teams"); err != nil {
		return err
	}
	d, err := u.teams(q)
	if err != nil {
		return err
	}
	d.Form.FormID = newFormID()
	return u.render(q, http.StatusOK, "admin_teams", "Teams · "+q.org.Name, "admin", d)
}

func (u *UI) teams(q *request) (*teamsData, error) {
	ts, err := u.svc.ListTeams(q.r.Context(), q.org.Slug)
	if err != nil {
		return nil, err
	}
	ms, err := u.svc.ListMembers(q.r.Context(), q.org.Slug)
	if err != nil {
		return nil, err
	}
	return &teamsData{Teams: ts, Members: memberNames(ms)}, nil
}

func (u *UI) createTeam(q *request) error {
	if err := adminOnly(q, "manage teams"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	name, formID := q.r.PostForm.Get("name"), q.r.PostForm.Get("form_id")
	if _, ok := u.forms.claim(formID); !ok {
		return u.redirect(q, "/o/"+q.org.Slug+"/admin/teams")
	}
	if err := u.svc.CreateTeam(q.r.Context(), q.org.Slug, &cairn.Team{Name: name}); err != nil {
		u.forms.release(formID)
		if cairn.ErrorField(err) == "" && cairn.ErrorCode(err) != cairn.ECONFLICT {
			return err
		}
		d, derr := u.teams(q)
		if derr != nil {
			return derr
		}
		d.Form.Name, d.Form.FormID, d.Form.Err = name, formID, cairn.ErrorMessage(err)
		return u.render(q, http.StatusUnprocessableEntity, "admin_teams", "Teams · "+q.org.Name, "admin", d)
	}
	u.forms.done(formID, "/o/"+q.org.Slug+"/admin/teams")
	return u.redirect(q, "/o/"+q.org.Slug+"/admin/teams")
}
