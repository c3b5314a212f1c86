package azdoemu

import (
	"slices"
	"strings"
)

// This file models the processes beyond Agile, Scrum and Basic: CMMI, and an
// inherited process ("Fabrikam Agile", derived from Agile) with a custom work
// item type, custom states in every state category and a custom numeric
// field, as an organization administrator builds one in Azure DevOps.

// CustomProcessName is the name of the emulator's inherited process; the
// process name "custom" selects it too.
const CustomProcessName = "Fabrikam Agile"

// Reference names of the fields the CMMI and inherited processes add.
const (
	fSize           = "Microsoft.VSTS.Scheduling.Size"
	fRequirementTyp = "Microsoft.VSTS.CMMI.RequirementType"
	fTriage         = "Microsoft.VSTS.Common.Triage"
	fProbability    = "Microsoft.VSTS.CMMI.Probability"
	fMeetingType    = "Microsoft.VSTS.CMMI.MeetingType"
	fImpactOnArch   = "Microsoft.VSTS.CMMI.ImpactOnArchitecture"
	fEscalate       = "Microsoft.VSTS.CMMI.Escalate"
	fTimeCrit       = "Microsoft.VSTS.Common.TimeCriticality"

	// FieldCustomerImpact is the custom numeric field of the inherited process.
	FieldCustomerImpact = "Custom.CustomerImpact"
)

func init() {
	// Every organization knows the fields of the system processes, CMMI included,
	// whichever process its projects use.
	standardFields = append(standardFields,
		fieldInfo{fSize, "Size", "double"},
		fieldInfo{fRequirementTyp, "Requirement Type", "string"},
		fieldInfo{fTriage, "Triage", "string"},
		fieldInfo{fProbability, "Probability", "integer"},
		fieldInfo{fMeetingType, "Meeting Type", "string"},
		fieldInfo{fImpactOnArch, "Impact on Architecture", "string"},
		fieldInfo{fEscalate, "Escalate", "boolean"},
		fieldInfo{fTimeCrit, "Time Criticality", "double"},
	)
}

// processFields are the fields a process brings into an organization when a
// project uses it: the custom fields of inherited processes.
var processFields = map[string][]fieldInfo{
	strings.ToLower(CustomProcessName): {{FieldCustomerImpact, "Customer Impact", "double"}},
}

// registerProcessFields adds the custom fields of a project's process to its
// organization, as creating them in the process did.
func (o *org) registerProcessFields(p *Process) {
	for _, f := range processFields[strings.ToLower(p.Name)] {
		if _, ok := o.fields[strings.ToLower(f.Ref)]; !ok {
			o.fields[strings.ToLower(f.Ref)] = f
		}
	}
}

// CMMI states: Proposed, Active, Resolved and Closed, one per category but
// Removed, which CMMI does not use.
var (
	stProposed = State{"Proposed", "b2b2b2", CategoryProposed}
	stCActive  = State{"Active", "007acc", CategoryInProgress}
	stCResolv  = State{"Resolved", "ff9d00", CategoryResolved}
	stCClosed  = State{"Closed", "339933", CategoryCompleted}
)

// States of the inherited process: custom ones in every category.
var (
	stReadyQA  = State{"Ready for QA", "8c59c6", CategoryInProgress}
	stShipped  = State{"Shipped", "5688e0", CategoryCompleted}
	stWontFix  = State{"Won't fix", "ec008c", CategoryRemoved}
	stTriaged  = State{"Triaged", "e6ab00", CategoryProposed}
	stVerified = State{"Verified", "ff9d00", CategoryResolved}
)

// extraProcess builds a fresh copy of the CMMI or the inherited process
// (case-insensitive: "CMMI", "custom" or CustomProcessName); ok is false for
// other names.
func extraProcess(name string) (*Process, bool) {
	sts := func(s ...State) []State { return append([]State(nil), s...) }
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "cmmi":
		cmmi := func() []State { return sts(stProposed, stCActive, stCResolv, stCClosed) }
		return &Process{Name: "CMMI", ID: "27450541-8e31-4150-9947-dc59f998fc01", Types: []*WorkItemType{
			{Name: "Epic", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Epic", Color: "FF7B00", Icon: "icon_crown",
				Description: "Epics help teams effectively manage and groom their product backlog",
				States:      cmmi(), Fields: []string{fPriority, fValueArea, fBusinessVal, fTimeCrit, fSize}},
			{Name: "Feature", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Feature", Color: "773B93", Icon: "icon_trophy",
				Description: "Tracks a feature that will be released with the product",
				States:      cmmi(), Fields: []string{fPriority, fValueArea, fBusinessVal, fTimeCrit, fSize}},
			{Name: "Requirement", ReferenceName: "Microsoft.VSTS.CMMI.Requirement", Color: "009CCC", Icon: "icon_book",
				Description: "Tracks a requirement: a function or product element the team must deliver",
				States:      cmmi(), Fields: []string{fPriority, fRequirementTyp, fTriage, fSize, fOriginal, fRemaining, fCompleted}},
			{Name: "Task", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Task", Color: "F2CB1D", Icon: "icon_clipboard",
				Description: "Tracks work that needs to be done",
				States:      cmmi(), Fields: []string{fPriority, fActivity, fTriage, fOriginal, fRemaining, fCompleted}},
			{Name: "Bug", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Bug", Color: "CC293D", Icon: "icon_insect",
				Description: "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
				States:      cmmi(), Fields: []string{fPriority, fSeverity, fTriage, fSize, fOriginal, fRemaining, fCompleted}},
			{Name: "Issue", ReferenceName: "Microsoft.VSTS.WorkItemTypes.Issue", Color: "B4009E", Icon: "icon_traffic_cone",
				Description: "Tracks an obstacle to progress",
				States:      cmmi(), Fields: []string{fPriority, fTriage, fEscalate}},
			{Name: "Risk", ReferenceName: "Microsoft.VSTS.CMMI.Risk", Color: "5C197B", Icon: "icon_fire",
				Description: "Tracks a possible event that would hurt the project",
				States:      cmmi(), Fields: []string{fPriority, fSeverity, fProbability}},
			{Name: "Review", ReferenceName: "Microsoft.VSTS.CMMI.Review", Color: "8C59C6", Icon: "icon_review",
				Description: "Records the results of a design or code review",
				States:      sts(stCActive, stCClosed), Fields: []string{fMeetingType}},
			{Name: "Change Request", ReferenceName: "Microsoft.VSTS.CMMI.ChangeRequest", Color: "4A8F3F", Icon: "icon_change_badge",
				Description: "Tracks a proposed change to a baselined product",
				States:      cmmi(), Fields: []string{fPriority, fTriage, fImpactOnArch, fOriginal}},
		}}, true
	case "custom", strings.ToLower(CustomProcessName):
		p, _ := newProcess("Agile")
		p.Name, p.ID = CustomProcessName, "0c8c8b76-3b1d-4c9e-9b2f-5a7f0f6f3a21"
		for _, t := range p.Types {
			switch t.Name {
			case "User Story":
				// Custom states inserted where a team's board has them.
				t.States = sts(stNew, stActive, stReadyQA, stResolved, stClosed, stRemoved, stWontFix)
				t.Fields = append(t.Fields, FieldCustomerImpact)
			case "Feature":
				t.Fields = append(t.Fields, FieldCustomerImpact)
			case "Bug":
				t.States = sts(stNew, stTriaged, stActive, stReadyQA, stResolved, stClosed, stWontFix)
			}
		}
		// A custom work item type: its Completed state is named Shipped.
		p.Types = slices.Insert(p.Types, 3, &WorkItemType{Name: "Customer Request", ReferenceName: "FabrikamAgile.CustomerRequest",
			Color: "E87025", Icon: "icon_chat_bubble", Description: "Tracks a request a customer made",
			States: sts(stNew, stTriaged, stActive, stReadyQA, stVerified, stShipped, stWontFix),
			Fields: []string{fPriority, fStoryPoints, FieldCustomerImpact}})
		return p, true
	}
	return nil, false
}

// attachField adds a field to a work item type unless it has it, as adding
// the field to the type's form does. Common system fields are on every type.
func (t *WorkItemType) attachField(ref string) {
	if strings.HasPrefix(ref, "System.") || slices.ContainsFunc(t.Fields, func(f string) bool { return strings.EqualFold(f, ref) }) {
		return
	}
	t.Fields = append(t.Fields, ref)
}

// hasField reports whether a work item type has a field (reference name,
// case-insensitive), the common system fields included.
func (t *WorkItemType) hasField(ref string) bool {
	eq := func(f string) bool { return strings.EqualFold(f, ref) }
	return slices.ContainsFunc(commonTypeFields, eq) || slices.ContainsFunc(t.Fields, eq)
}

// stateIn returns the names of a type's states in the given categories, in
// the type's order.
func (t *WorkItemType) stateIn(cats ...string) []string {
	var out []string
	for _, st := range t.States {
		if slices.Contains(cats, st.Category) {
			out = append(out, st.Name)
		}
	}
	return out
}

// category returns the state category of a state of the type, "" when the
// type has no such state.
func (t *WorkItemType) category(state string) string {
	if t == nil {
		return ""
	}
	if st := t.state(state); st != nil {
		return st.Category
	}
	return ""
}

// reasonFor is the System.Reason Azure DevOps sets on entering a state,
// decided by the state's category so that custom states get one too.
func reasonFor(t *WorkItemType, state string, created bool) string {
	if created {
		return "New"
	}
	switch t.category(state) {
	case CategoryProposed:
		return "Moved to state " + state
	case CategoryInProgress:
		return "Implementation started"
	case CategoryResolved:
		return "Code complete and unit tests pass"
	case CategoryCompleted:
		return "Acceptance tests pass"
	case CategoryRemoved:
		return "Removed from the backlog"
	}
	return "Moved to state " + state
}

// attachFields adds the fields of a scenario or generated change to the type
// of the item it changes, so that every field an item holds is on its type.
func (p *project) attachFields(typeName string, set map[string]any) {
	t := p.process.typeByName(typeName)
	if t == nil {
		return
	}
	for ref := range set {
		t.attachField(ref)
	}
}

// AddProject creates an empty project of a process (Agile, Scrum, Basic, CMMI, or
// custom for the inherited process) in an organization, creating the organization
// when it does not exist.
func (s *Server) AddProject(orgName, name, process string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !orgNameRE.MatchString(orgName) || strings.TrimSpace(name) == "" {
		return errorf("add project", "invalid organization %q or project name %q", orgName, name)
	}
	_, err := s.addProject(s.ensureOrg(orgName), name, process, "", s.now().AddDate(0, 0, -30))
	return err
}
