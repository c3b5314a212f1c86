package azdoemu

import "strings"

// State categories as Azure DevOps names them.
const (
	CategoryProposed   = "Proposed"
	CategoryInProgress = "InProgress"
	CategoryResolved   = "Resolved"
	CategoryCompleted  = "Completed"
	CategoryRemoved    = "Removed"
)

// State is one work item type state with its color and state category.
type State struct {
	Name     string `json:"name"`
	Color    string `json:"color"`
	Category string `json:"category"`
}

// WorkItemType is a work item type of a process: its name, reference name,
// color, icon, description and states (the first state is the initial one).
type WorkItemType struct {
	Name          string
	ReferenceName string
	Description   string
	Color         string
	Icon          string
	States        []State
	Fields        []string // reference names beyond the common system fields
}

// Process is a process template: Agile, Scrum, Basic, CMMI or an inherited
// process (see process_cmmi.go).
type Process struct {
	Name  string
	ID    string
	Types []*WorkItemType
}

func (p *Process) typeByName(name string) *WorkItemType {
	for _, t := range p.Types {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

func (t *WorkItemType) state(name string) *State {
	for i := range t.States {
		if strings.EqualFold(t.States[i].Name, name) {
			return &t.States[i]
		}
	}
	return nil
}

var (
	stNew      = State{"New", "b2b2b2", CategoryProposed}
	stActive   = State{"Active", "007acc", CategoryInProgress}
	stResolved = State{"Resolved", "ff9d00", CategoryResolved}
	stClosed   = State{"Closed", "339933", CategoryCompleted}
	stRemoved  = State{"Removed", "ffffff", CategoryRemoved}
	stApproved = State{"Approved", "b2b2b2", CategoryProposed}
	stCommit   = State{"Committed", "007acc", CategoryInProgress}
	stDone     = State{"Done", "339933", CategoryCompleted}
	stToDo     = State{"To Do", "b2b2b2", CategoryProposed}
	stInProg   = State{"In Progress", "007acc", CategoryInProgress}
	stDoing    = State{"Doing", "007acc", CategoryInProgress}
)

const (
	fStoryPoints = "Microsoft.VSTS.Scheduling.StoryPoints"
	fEffort      = "Microsoft.VSTS.Scheduling.Effort"
	fOriginal    = "Microsoft.VSTS.Scheduling.OriginalEstimate"
	fRemaining   = "Microsoft.VSTS.Scheduling.RemainingWork"
	fCompleted   = "Microsoft.VSTS.Scheduling.CompletedWork"
	fPriority    = "Microsoft.VSTS.Common.Priority"
	fValueArea   = "Microsoft.VSTS.Common.ValueArea"
	fSeverity    = "Microsoft.VSTS.Common.Severity"
	fBusinessVal = "Microsoft.VSTS.Common.BusinessValue"
	fStateChange = "Microsoft.VSTS.Common.StateChangeDate"
	fActivity    = "Microsoft.VSTS.Common.Activity"
)

// newProcess builds a fresh copy of a named process (case-insensitive:
// "Agile", "Scrum", "Basic", "CMMI", or "custom" for the inherited process);
// ok is false for other names.
func newProcess(name string) (p *Process, ok bool) {
	sts := func(s ...State) []State { return append([]State(nil), s...) }
	switch strings.ToLower(name) {
	case "agile":
		return &Process{Name: "Agile", ID: "adcc42ab-9882-485e-a3ed-7678f01f66bc", Types: []*WorkItemType{
			{Name: "Epic", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Epic", Color: "FF7B00", Icon: "icon_crown",
				Description: "Epics help teams effectively manage and groom their product backlog",
				States:      sts(stNew, stActive, stResolved, stClosed, stRemoved), Fields: []string{fPriority, fValueArea, fBusinessVal, fEffort}},
			{Name: "Feature", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Feature", Color: "773B93", Icon: "icon_trophy",
				Description: "Tracks a feature that will be released with the product",
				States:      sts(stNew, stActive, stResolved, stClosed, stRemoved), Fields: []string{fPriority, fValueArea, fBusinessVal, fEffort}},
			{Name: "User Story", ReferenceName: "Microsoft.VSTS.WorkItemTypes.UserStory", Color: "009CCC", Icon: "icon_book",
				Description: "Tracking user stories",
				States:      sts(stNew, stActive, stResolved, stClosed, stRemoved), Fields: []string{fPriority, fValueArea, fStoryPoints}},
			{Name: "Task", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Task", Color: "F2CB1D", Icon: "icon_clipboard",
				Description: "Tracks work that needs to be done",
				States:      sts(stNew, stActive, stClosed, stRemoved), Fields: []string{fPriority, fActivity, fOriginal, fRemaining, fCompleted}},
			{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug", Color: "CC293D", Icon: "icon_insect",
				Description: "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
				States:      sts(stNew, stActive, stResolved, stClosed), Fields: []string{fPriority, fSeverity, fStoryPoints, fOriginal, fRemaining, fCompleted}},
		}}, true
	case "scrum":
		return &Process{Name: "Scrum", ID: "6b724908-ef14-45cf-84f8-768b5384da45", Types: []*WorkItemType{
			{Name: "Epic", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Epic", Color: "FF7B00", Icon: "icon_crown",
				Description: "Epics help teams effectively manage and groom their product backlog",
				States:      sts(stNew, stInProg, stDone, stRemoved), Fields: []string{fPriority, fValueArea, fBusinessVal, fEffort}},
			{Name: "Feature", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Feature", Color: "773B93", Icon: "icon_trophy",
				Description: "Tracks a feature that will be released with the product",
				States:      sts(stNew, stInProg, stDone, stRemoved), Fields: []string{fPriority, fValueArea, fBusinessVal, fEffort}},
			{Name: "Product Backlog Item", ReferenceName: "Microsoft.VSTS.WorkItemTypes.ProductBacklogItem", Color: "009CCC", Icon: "icon_list",
				Description: "Tracks an activity the user will be able to perform with the product",
				States:      sts(stNew, stApproved, stCommit, stDone, stRemoved), Fields: []string{fPriority, fBusinessVal, fEffort}},
			{Name: "Task", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Task", Color: "F2CB1D", Icon: "icon_clipboard",
				Description: "Tracks work that needs to be done",
				States:      sts(stToDo, stInProg, stDone, stRemoved), Fields: []string{fPriority, fActivity, fRemaining}},
			{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug", Color: "CC293D", Icon: "icon_insect",
				Description: "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
				States:      sts(stNew, stApproved, stCommit, stDone, stRemoved), Fields: []string{fPriority, fSeverity, fEffort, fRemaining}},
		}}, true
	case "basic":
		return &Process{Name: "Basic", ID: "b8a3a935-7e91-48b8-a94c-606d37c3e9f2", Types: []*WorkItemType{
			{Name: "Epic", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Epic", Color: "FF7B00", Icon: "icon_crown",
				Description: "Epics help teams effectively manage and groom their product backlog",
				States:      sts(stToDo, stDoing, stDone), Fields: []string{fPriority, fEffort}},
			{Name: "Issue", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Issue", Color: "339933", Icon: "icon_clipboard_issue",
				Description: "Tracks an issue that needs to be done",
				States:      sts(stToDo, stDoing, stDone), Fields: []string{fPriority, fEffort}},
			{Name: "Task", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Task", Color: "F2CB1D", Icon: "icon_clipboard",
				Description: "Tracks work that needs to be done",
				States:      sts(stToDo, stDoing, stDone), Fields: []string{fPriority, fActivity, fRemaining}},
		}}, true
	}
	return extraProcess(name)
}

// fieldInfo describes a known field: its reference name, friendly name and
// value type ("string", "integer", "double", "dateTime", "identity",
// "treePath", "boolean", "html", "plainText").
type fieldInfo struct {
	Ref  string
	Name string
	Type string
}

// standardFields are the fields every project knows.
var standardFields = []fieldInfo{
	{"System.Id", "ID", "integer"},
	{"System.Title", "Title", "string"},
	{"System.WorkItemType", "Work Item Type", "string"},
	{"System.State", "State", "string"},
	{"System.Reason", "Reason", "string"},
	{"System.AssignedTo", "Assigned To", "identity"},
	{"System.AreaPath", "Area Path", "treePath"},
	{"System.IterationPath", "Iteration Path", "treePath"},
	{"System.TeamProject", "Team Project", "string"},
	{"System.Tags", "Tags", "plainText"},
	{"System.Description", "Description", "html"},
	{"System.CreatedDate", "Created Date", "dateTime"},
	{"System.CreatedBy", "Created By", "identity"},
	{"System.ChangedDate", "Changed Date", "dateTime"},
	{"System.ChangedBy", "Changed By", "identity"},
	{"System.AuthorizedDate", "Authorized Date", "dateTime"},
	{"System.AuthorizedAs", "Authorized As", "identity"},
	{"System.RevisedDate", "Revised Date", "dateTime"},
	{"System.Rev", "Rev", "integer"},
	{"System.Watermark", "Watermark", "integer"},
	{"System.Parent", "Parent", "integer"},
	{"System.CommentCount", "Comment Count", "integer"},
	{"System.BoardColumn", "Board Column", "string"},
	{"System.IsDeleted", "Is Deleted", "boolean"},
	{fStoryPoints, "Story Points", "double"},
	{fEffort, "Effort", "double"},
	{fOriginal, "Original Estimate", "double"},
	{fRemaining, "Remaining Work", "double"},
	{fCompleted, "Completed Work", "double"},
	{fPriority, "Priority", "integer"},
	{fValueArea, "Value Area", "string"},
	{fSeverity, "Severity", "string"},
	{fBusinessVal, "Business Value", "integer"},
	{fStateChange, "State Change Date", "dateTime"},
	{fActivity, "Activity", "string"},
	{"Microsoft.VSTS.Common.ClosedDate", "Closed Date", "dateTime"},
	{"Microsoft.VSTS.Common.ResolvedDate", "Resolved Date", "dateTime"},
	{"Microsoft.VSTS.Common.ActivatedDate", "Activated Date", "dateTime"},
}
