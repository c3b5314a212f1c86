package azdoemu

import (
	"math/rand/v2"
	"strings"
)

// genRoles maps the levels of a generated hierarchy (epics, features,
// stories, tasks, bugs) to a process's work item types, with the numeric
// fields each level carries and the states its saved queries name.
type genRoles struct {
	process                            string
	epic, feature, story, task, bug    string
	altStory                           string   // every third story is of this type, when set
	epicSide                           []string // types created under every epic, such as CMMI's Risk
	active                             string   // a story state in the InProgress category
	storyColumn                        string   // the story's estimate as a query column
	activeQuery, linkQuery             string
	epicFields, featureFields          func(*rand.Rand) map[string]any
	storyFields, taskFields, bugFields func(*rand.Rand) map[string]any
}

var genPoints = []float64{1, 2, 3, 5, 8, 13}

func genValue(rng *rand.Rand) map[string]any {
	return map[string]any{"Custom.Value": float64(10 * (1 + rng.IntN(50)))}
}

func genEstimate(field string) func(*rand.Rand) map[string]any {
	return func(rng *rand.Rand) map[string]any {
		return map[string]any{field: float64(1 + rng.IntN(40)), "Custom.Value": float64(1 + rng.IntN(100))}
	}
}

func genStory(field string) func(*rand.Rand) map[string]any {
	return func(rng *rand.Rand) map[string]any { return map[string]any{field: genPoints[rng.IntN(len(genPoints))]} }
}

func genHours(rng *rand.Rand) map[string]any {
	est := float64(1 + rng.IntN(16))
	done := float64(rng.IntN(int(est) + 1))
	return map[string]any{fOriginal: est, fCompleted: done, fRemaining: est - done}
}

func genRemaining(rng *rand.Rand) map[string]any {
	return map[string]any{fRemaining: float64(rng.IntN(17))}
}

func genBug(field string) func(*rand.Rand) map[string]any {
	return func(rng *rand.Rand) map[string]any {
		return map[string]any{fSeverity: []string{"1 - Critical", "2 - High", "3 - Medium", "4 - Low"}[rng.IntN(4)],
			field: genPoints[rng.IntN(3)]}
	}
}

// genRolesFor returns the roles of a process name (lower case): agile,
// scrum, basic, cmmi or custom.
func genRolesFor(name string) (genRoles, bool) {
	agile := genRoles{process: "Agile", epic: "Epic", feature: "Feature", story: "User Story", task: "Task", bug: "Bug",
		active: "Active", storyColumn: ", [" + fStoryPoints + "]",
		activeQuery: "All active user stories", linkQuery: "Features with stories",
		epicFields: genValue, featureFields: genEstimate(fEffort), storyFields: genStory(fStoryPoints),
		taskFields: genHours, bugFields: genBug(fStoryPoints)}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "agile":
		return agile, true
	case "scrum":
		return genRoles{process: "Scrum", epic: "Epic", feature: "Feature", story: "Product Backlog Item", task: "Task", bug: "Bug",
			active: "Committed", storyColumn: ", [" + fEffort + "]",
			activeQuery: "All committed product backlog items", linkQuery: "Features with backlog items",
			epicFields: genValue, featureFields: genEstimate(fEffort), storyFields: genStory(fEffort),
			taskFields: genRemaining, bugFields: genBug(fEffort)}, true
	case "basic":
		// Basic has Epic, Issue and Task: features and stories are Issues, and so
		// are bugs.
		bug := genBug(fEffort)
		return genRoles{process: "Basic", epic: "Epic", feature: "Issue", story: "Issue", task: "Task", bug: "Issue",
			active: "Doing", storyColumn: ", [" + fEffort + "]",
			activeQuery: "All issues in progress", linkQuery: "Issues with issues",
			epicFields: genEstimate(fEffort), featureFields: genEstimate(fEffort), storyFields: genStory(fEffort),
			taskFields: genRemaining, bugFields: func(rng *rand.Rand) map[string]any {
				m := bug(rng)
				delete(m, fSeverity)
				return m
			}}, true
	case "cmmi":
		return genRoles{process: "CMMI", epic: "Epic", feature: "Feature", story: "Requirement", task: "Task", bug: "Bug",
			epicSide: []string{"Risk", "Issue", "Change Request", "Review"},
			active:   "Active", storyColumn: ", [" + fSize + "]",
			activeQuery: "All active requirements", linkQuery: "Features with requirements",
			epicFields: genValue, featureFields: genEstimate(fSize), storyFields: genStory(fSize),
			taskFields: genHours, bugFields: genBug(fSize)}, true
	case "custom", strings.ToLower(CustomProcessName):
		c := agile
		c.process, c.altStory = CustomProcessName, "Customer Request"
		c.storyFields = func(rng *rand.Rand) map[string]any {
			return map[string]any{fStoryPoints: genPoints[rng.IntN(len(genPoints))], FieldCustomerImpact: float64(1 + rng.IntN(10))}
		}
		return c, true
	}
	return genRoles{}, false
}

// RequirementType is the work item type the generator makes its stories of in the
// spec's process, such as "User Story" for agile and "Requirement" for cmmi: the type a
// data source over generated data measures by.
func (g GenerateSpec) RequirementType() string {
	r, ok := genRolesFor(g.Process)
	if !ok {
		return ""
	}
	return r.story
}
