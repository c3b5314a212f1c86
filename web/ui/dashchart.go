package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/cairn-okr/cairn"
)

// The dashboard's drawings share the progress chart's style: inline SVG drawn on the
// server, coloured by the stylesheet (so that dark mode applies and the CSP needs no
// inline style), with a <title> on every bar for its figure.
const (
	dashW, dashH       = 560.0, 200.0
	dashL, dashR       = 40.0, 12.0
	dashTop, dashBot   = 14.0, 34.0
	hbarW, hbarLabel   = 560.0, 150.0
	hbarRow, hbarThick = 30.0, 18.0
)

// progressBars draws the average progress of each period's objectives as a column, with
// the progress expected today as a dashed tick on each column.
func progressBars(ps []cairn.PeriodProgress) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart dash-chart" data-testid="progress-chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="Average progress of the objectives by period">`, dashW, dashH)
	plotH := dashH - dashTop - dashBot
	y := func(f float64) float64 { return dashH - dashBot - math.Max(0, math.Min(1, f))*plotH }
	for _, t := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text class="axis" x="%.1f" y="%.1f" text-anchor="end">%s</text>`,
			dashL, dashW-dashR, y(t), y(t), dashL-6, y(t)+3, pct(t))
	}
	n := len(ps)
	if n == 0 {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">No periods yet</text></svg>`, dashW/2, dashH/2)
		return template.HTML(b.String())
	}
	slot := (dashW - dashL - dashR) / float64(n)
	w := math.Min(56, slot*0.6)
	for i, p := range ps {
		cx := dashL + slot*(float64(i)+0.5)
		top := y(p.Progress)
		fmt.Fprintf(&b, `<rect class="col period-bar" data-period="%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3"><title>%s: %s average progress of %d objectives; %s expected</title></rect>`,
			p.PeriodID, cx-w/2, top, w, dashH-dashBot-top, html.EscapeString(p.Name), pct(p.Progress), p.Objectives, pct(p.Expected))
		if !p.Closed && p.Expected > 0 && p.Expected < 1 {
			fmt.Fprintf(&b, `<line class="expected" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>Expected today: %s</title></line>`,
				cx-w/2-4, cx+w/2+4, y(p.Expected), y(p.Expected), pct(p.Expected))
		}
		fmt.Fprintf(&b, `<text class="axis bar-value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, cx, top-4, pct(p.Progress))
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, cx, dashH-dashBot+14, html.EscapeString(shorten(p.Name, int(slot/6))))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// hbar is one bar of a horizontal bar chart, made of segments.
type hbar struct {
	Label string
	Segs  []hseg
}

type hseg struct {
	Class string
	N     int
	Tip   string
}

// hbars draws labelled horizontal bars, each segment as wide as its count against the
// largest bar.
func hbars(testid, label string, bars []hbar) template.HTML {
	var b strings.Builder
	h := float64(len(bars))*hbarRow + 8
	fmt.Fprintf(&b, `<svg class="chart dash-chart" data-testid="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, testid, hbarW, h, html.EscapeString(label))
	most := 1
	for _, bar := range bars {
		n := 0
		for _, s := range bar.Segs {
			n += s.N
		}
		most = max(most, n)
	}
	span := hbarW - hbarLabel - 40
	for i, bar := range bars {
		y := 4 + float64(i)*hbarRow
		fmt.Fprintf(&b, `<text class="axis bar-label" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, hbarLabel-8, y+hbarThick/2+4, html.EscapeString(bar.Label))
		x, total := hbarLabel, 0
		for _, s := range bar.Segs {
			if s.N == 0 {
				continue
			}
			w := span * float64(s.N) / float64(most)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`, s.Class, x, y, w, hbarThick, html.EscapeString(s.Tip))
			x += w
			total += s.N
		}
		fmt.Fprintf(&b, `<text class="axis bar-value" x="%.1f" y="%.1f">%d</text>`, x+6, y+hbarThick/2+4, total)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// statusBars draws how many objectives, key results and initiatives have each status.
func statusBars(cs []cairn.StatusCount) template.HTML {
	var bars []hbar
	for _, st := range statusOrder {
		i := slices.IndexFunc(cs, func(c cairn.StatusCount) bool { return c.Status == st })
		if i < 0 {
			continue
		}
		c := cs[i]
		class := "fill status-bar " + statusClass(st)
		bars = append(bars, hbar{Label: statusLabel(st), Segs: []hseg{
			{class + " kind-objective", c.Objectives, fmt.Sprintf("%s: %d objectives", statusLabel(st), c.Objectives)},
			{class + " kind-key-result", c.KeyResults, fmt.Sprintf("%s: %d key results", statusLabel(st), c.KeyResults)},
			{class + " kind-initiative", c.Initiatives, fmt.Sprintf("%s: %d initiatives", statusLabel(st), c.Initiatives)},
		}})
	}
	if len(bars) == 0 {
		bars = append(bars, hbar{Label: "No items"})
	}
	return hbars("status-chart", "Objectives, key results and initiatives by status", bars)
}

// sourceBars draws the key results and initiatives tracked from Azure DevOps against the
// manual ones, and the manual key results on time against those overdue.
func sourceBars(s cairn.SourceCounts, c cairn.Compliance) template.HTML {
	return hbars("source-chart", "Items tracked from Azure DevOps and manual ones, and check-in compliance", []hbar{
		{Label: "Azure DevOps", Segs: []hseg{{"src-azdo", s.AzureDevOps, fmt.Sprintf("%d key results and initiatives tracked from Azure DevOps", s.AzureDevOps)}}},
		{Label: "Manual", Segs: []hseg{{"src-manual", s.Manual, fmt.Sprintf("%d key results and initiatives updated by hand or rolled up", s.Manual)}}},
		{Label: "Checked in on time", Segs: []hseg{{"fill st-on-track", c.Tracked - c.Overdue, fmt.Sprintf("%d manual key results checked in within their cadence", c.Tracked-c.Overdue)}}},
		{Label: "Overdue", Segs: []hseg{{"fill st-at-risk", c.Overdue, fmt.Sprintf("%d manual key results overdue for a check-in", c.Overdue)}}},
	})
}

// sortOwners puts the people with the most overdue key results first, then by name.
func sortOwners(os []ownerCount) {
	slices.SortFunc(os, func(a, b ownerCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Person.Name, b.Person.Name)
	})
}

// shorten cuts s to at most n runes, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if n < 4 {
		n = 4
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
