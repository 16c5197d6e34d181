//! Who may do what. Access is denied unless a rule here grants it; the web
//! layer asks [`authorize`] before every read or write and holds no rules of its own.

use serde::Serialize;

use crate::{CaseStatus, OperationId, Role, User};

/// Everything a signed-in user can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// See an operation's name, country and time zone.
    ViewOperation,
    /// Open operations; manage users and keys.
    Administer,
    EditOperation,
    /// The posture board: posts and their history (no personal data).
    ViewPosts,
    EditPosts,
    RecordPosture,
    /// Read cases and the people in them.
    ViewCases,
    /// Register and edit cases.
    EditCases,
    /// Move a case to review, ask for information, withdraw it.
    ReviewCase,
    /// Approve or refuse eligibility.
    DecideEligibility,
    /// Put cases on movements and take them off.
    ScheduleCase,
    CallForward,
    /// Record check-in and departure at the gate.
    CheckIn,
    ViewSchemes,
    EditSchemes,
    /// See movements (a liaison only those shared with its nation).
    ViewMovements,
    EditMovements,
    ViewAudit,
    /// Propose plans of households onto movements, and approve them.
    PlanMovements,
    /// A movement's whole manifest: names, documents, households.
    ViewManifest,
    /// The minimised manifest (names, nationality, document number,
    /// household size) that allied liaison officers receive.
    ViewMinimisedManifest,
    /// Destroy an operation's personal data for good (the burn).
    Burn,
    /// See alerts, their CAP form and their delivery counts (no personal data).
    ViewAlerts,
    /// Write, preview and send alerts to registrants.
    SendAlerts,
    /// Start and close roll calls.
    RunRollCall,
    /// See a roll call's answer counts (no personal data). The list of who
    /// has not answered also needs [`Action::ViewCases`].
    ViewRollCall,
}

impl Action {
    /// The action a status change needs.
    pub fn for_transition(to: CaseStatus) -> Action {
        use CaseStatus::*;
        match to {
            Registered | UnderReview | NeedsInformation | Withdrawn => Action::ReviewCase,
            Eligible | Ineligible => Action::DecideEligibility,
            Scheduled => Action::ScheduleCase,
            CalledForward => Action::CallForward,
            CheckedIn | Departed => Action::CheckIn,
        }
    }
}

/// The grant table of the brief. One `match`, so that a reviewer reads every
/// grant of a role in one place.
pub fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::HqAdmin => true,
        Role::ConsularOfficer => matches!(
            action,
            ViewOperation
                | ViewPosts
                | RecordPosture
                | ViewCases
                | EditCases
                | ReviewCase
                | DecideEligibility
                | ScheduleCase
                | CallForward
                | CheckIn
                | ViewSchemes
                | ViewMovements
                | EditMovements
                | PlanMovements
                | ViewManifest
                | ViewMinimisedManifest
                | ViewAlerts
                | ViewRollCall
        ),
        Role::CaseWorker => {
            matches!(
                action,
                ViewOperation
                    | ViewPosts
                    | ViewCases
                    | EditCases
                    | ReviewCase
                    | ViewSchemes
                    | ViewMovements
                    | ViewAlerts
                    | ViewRollCall
            )
        }
        // The gate checks people against the manifest.
        Role::GateOfficer => matches!(
            action,
            ViewOperation | ViewMovements | CheckIn | ViewManifest
        ),
        Role::Liaison => matches!(
            action,
            ViewOperation | ViewMovements | ViewMinimisedManifest
        ),
        Role::Auditor => matches!(
            action,
            ViewOperation
                | ViewPosts
                | ViewSchemes
                | ViewMovements
                | ViewAudit
                | ViewAlerts
                | ViewRollCall
        ),
    }
}

/// A liaison officer sees only the movements shared with their nation;
/// everyone else granted movements sees all of their operation's.
pub fn may_see_movement(user: &User, shared_with: &[String]) -> bool {
    user.role != Role::Liaison
        || user
            .nation
            .as_ref()
            .is_some_and(|n| shared_with.contains(n))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("your role may not do this")]
    Role,
    #[error("you do not work in this operation")]
    Operation,
}

/// Decides whether `user` may do `action`, in `operation` if it concerns one.
/// A user bound to an operation sees nothing of any other.
pub fn authorize(
    user: &User,
    action: Action,
    operation: Option<&OperationId>,
) -> Result<(), Denied> {
    if !role_may(user.role, action) {
        return Err(Denied::Role);
    }
    match (&user.operation_id, operation) {
        (Some(mine), Some(theirs)) if mine != theirs => Err(Denied::Operation),
        // Acting across all operations (listing them, opening one) is for unbound users
        // or for listing one's own, which the caller filters.
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn user(role: Role, op: Option<&str>) -> User {
        User {
            id: crate::UserId::new(),
            username: "u".into(),
            role,
            operation_id: op.map(|o| OperationId::parse(o).unwrap()),
            nation: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_brief_s_grants() {
        use Action::*;
        assert!(role_may(Role::CaseWorker, EditCases));
        assert!(
            !role_may(Role::CaseWorker, DecideEligibility),
            "case workers propose, never approve"
        );
        assert!(
            !role_may(Role::Auditor, ViewCases),
            "auditors see no personal data"
        );
        assert!(!role_may(Role::Liaison, ViewCases));
        assert!(!role_may(Role::GateOfficer, EditCases));
        assert!(role_may(Role::GateOfficer, CheckIn));
        assert!(!role_may(Role::ConsularOfficer, Administer));
        assert!(role_may(Role::Liaison, ViewMinimisedManifest));
        assert!(
            !role_may(Role::Liaison, ViewManifest),
            "allies get the minimised manifest only"
        );
        assert!(!role_may(Role::CaseWorker, PlanMovements));
        assert!(!role_may(Role::Auditor, ViewMinimisedManifest));
    }

    #[test]
    fn liaisons_see_movements_shared_with_their_nation_only() {
        let mut liaison = user(Role::Liaison, Some("kabul-2021"));
        liaison.nation = Some("DNK".into());
        assert!(may_see_movement(&liaison, &["DNK".into()]));
        assert!(!may_see_movement(&liaison, &["NOR".into()]));
        liaison.nation = None;
        assert!(!may_see_movement(&liaison, &["DNK".into()]));
        let officer = user(Role::ConsularOfficer, Some("kabul-2021"));
        assert!(may_see_movement(&officer, &[]));
    }

    #[test]
    fn alerts_and_roll_calls_are_hq_s_to_send() {
        use Action::*;
        for role in [Role::ConsularOfficer, Role::CaseWorker, Role::Auditor] {
            assert!(role_may(role, ViewAlerts) && role_may(role, ViewRollCall));
            assert!(!role_may(role, SendAlerts) && !role_may(role, RunRollCall));
        }
        assert!(role_may(Role::HqAdmin, SendAlerts) && role_may(Role::HqAdmin, RunRollCall));
        for role in [Role::GateOfficer, Role::Liaison] {
            assert!(!role_may(role, ViewAlerts) && !role_may(role, ViewRollCall));
        }
        // Auditors count answers but never see who has not answered.
        assert!(!role_may(Role::Auditor, ViewCases));
    }

    #[test]
    fn approvals_need_the_decision_grant() {
        assert_eq!(
            Action::for_transition(CaseStatus::Eligible),
            Action::DecideEligibility
        );
        assert_eq!(
            Action::for_transition(CaseStatus::Departed),
            Action::CheckIn
        );
    }

    #[test]
    fn users_stay_in_their_operation() {
        let kabul = OperationId::parse("kabul-2021").unwrap();
        let other = OperationId::parse("khartoum-2023").unwrap();
        let officer = user(Role::ConsularOfficer, Some("kabul-2021"));
        assert_eq!(authorize(&officer, Action::ViewCases, Some(&kabul)), Ok(()));
        assert_eq!(
            authorize(&officer, Action::ViewCases, Some(&other)),
            Err(Denied::Operation)
        );
        let ministry = user(Role::HqAdmin, None);
        assert_eq!(
            authorize(&ministry, Action::ViewCases, Some(&other)),
            Ok(())
        );
    }
}
