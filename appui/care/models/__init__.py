from .alert import Alert
from .assessment import Assessment, AssessmentForm, Need
from .episode import CareEpisode, CareSettings, Consent, LevelChange
from .followup import AdverseEvent, DischargeTask, HomeVisit, HospitalStay
from .meeting import Meeting, MeetingParticipant, MeetingSituation
from .plan import Action, CarePlan, CarePlanVersion, Goal

__all__ = [
    "Action",
    "AdverseEvent",
    "Alert",
    "Assessment",
    "AssessmentForm",
    "CareEpisode",
    "CarePlan",
    "CarePlanVersion",
    "CareSettings",
    "Consent",
    "DischargeTask",
    "Goal",
    "HomeVisit",
    "HospitalStay",
    "LevelChange",
    "Meeting",
    "MeetingParticipant",
    "MeetingSituation",
    "Need",
]
