package viva

import (
	"regexp"
	"strings"
)

// knownIntegrations are the names under which Viva Goals' integrations checked in, spelled as
// Cairn reports them. Viva Goals wrote the integration where a check-in names its user.
var knownIntegrations = []string{
	"Azure DevOps", "Azure Boards", "Azure DevOps Server", "ADO", "VSTS",
	"Jira", "Jira Cloud", "Jira Software",
	"Power BI", "Microsoft Power BI",
	"Excel", "Microsoft Excel", "Excel Online",
	"Planner", "Microsoft Planner", "Microsoft Project", "Project for the web",
	"Smartsheet", "Salesforce", "HubSpot", "Asana", "GitHub", "Google Sheets", "Zendesk",
	"ServiceNow", "Tableau", "Trello", "monday.com",
	"Viva Goals", "Viva Goals Integration", "Integration", "Data Source",
}

// azureDevOpsNames are the integration names that mean Azure DevOps.
var azureDevOpsNames = []string{"azuredevops", "azureboards", "azuredevopsserver", "ado", "vsts"}

// IsAzureDevOps reports whether an integration name, as found in Item.DataSource or
// CheckIn.Integration, means Azure DevOps.
func IsAzureDevOps(name string) bool {
	k := squash(strings.TrimSuffix(strings.TrimSpace(strings.ToLower(name)), " integration"))
	for _, n := range azureDevOpsNames {
		if k == n {
			return true
		}
	}
	return false
}

var (
	// integrationAuthorRE matches user names an integration writes, such as "Jira Integration".
	integrationAuthorRE = regexp.MustCompile(`(?i)\b(?:integration|connector|data\s*source)\)?$`)
	// automaticNoteRE matches notes that say the value was set automatically.
	automaticNoteRE = regexp.MustCompile(`(?i)^\s*(?:(?:progress|value)\s+)?(?:was\s+)?(?:auto(?:matically)?[- ]?(?:updated|synced|synchronized)|updated\s+automatically|synced\s+automatically)\b`)
	// sourceNoteRE matches notes such as "Updated via Azure DevOps integration".
	sourceNoteRE = regexp.MustCompile(`(?i)\b(?:updated|synced|synchronized|set)\s+(?:by|via|from|through)\s+(?:the\s+)?(.+?)\s+(?:integration|data\s*source|connector)\b`)
)

// integrationByName maps lowered integration names to their spelling in knownIntegrations.
var integrationByName = func() map[string]string {
	m := make(map[string]string, len(knownIntegrations))
	for _, n := range knownIntegrations {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// noteHints are words that a note must hold for the note rules to be worth running.
var noteHints = []string{"integration", "data source", "datasource", "connector", "auto", "sync"}

// detectIntegration applies the rule of the package documentation to a check-in's user and note
// and returns the integration's name, or "" for a person's check-in.
func detectIntegration(author, note string, extra []string) string {
	a := collapseSpace(author)
	if a != "" {
		for _, n := range extra {
			if strings.EqualFold(collapseSpace(n), a) {
				return a
			}
		}
		if n, ok := integrationByName[lowerASCII(a)]; ok {
			return n
		}
		if (containsFold(a, "integration") || containsFold(a, "connector") || containsFold(a, "source")) && integrationAuthorRE.MatchString(a) {
			return a
		}
	}
	if note == "" {
		return ""
	}
	lower := strings.ToLower(note)
	hinted := false
	for _, h := range noteHints {
		if strings.Contains(lower, h) {
			hinted = true
			break
		}
	}
	if !hinted {
		return ""
	}
	if m := sourceNoteRE.FindStringSubmatch(note); m != nil {
		return integrationIn(m[1], m[1])
	}
	if automaticNoteRE.MatchString(note) {
		return integrationIn(note, "Integration")
	}
	return ""
}

// containsFold reports whether s holds sub, ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// lowerASCII is strings.ToLower that does not allocate for text already in lower case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// integrationIn returns the first known integration named in text, or fallback.
func integrationIn(text, fallback string) string {
	lower := strings.ToLower(text)
	best, at := "", -1
	for _, n := range knownIntegrations {
		i := wordIndex(lower, strings.ToLower(n))
		// Prefer the earliest, then the longest name ("Azure DevOps" over "ADO").
		if i >= 0 && (at < 0 || i < at || i == at && len(n) > len(best)) {
			best, at = n, i
		}
	}
	if best != "" {
		return best
	}
	return collapseSpace(fallback)
}

// wordIndex is strings.Index that only finds word as a whole word, so that "Excel" is not found
// in "excellent".
func wordIndex(s, word string) int {
	from := 0
	for {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(word)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return i
		}
		from = i + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// dataSourceName reads the bundle's "Data Source" setting; words that mean "none" give "".
func dataSourceName(s string) string {
	s = collapseSpace(s)
	switch squash(s) {
	case "", "none", "null", "manual", "manually", "no", "false", "na":
		return ""
	}
	return s
}
