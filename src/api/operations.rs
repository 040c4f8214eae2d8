//! The one table of operations. Each use case is a type in its domain
//! module; this table names it once, with the route the HTTP API gives it.
//! Everything else is derived from it: the operations by name (the Tauri
//! command and `POST /api/v1/ops/{name}`), the REST routes and the OpenAPI
//! document. Adding an operation is its type plus one line here.

use std::net::IpAddr;

use serde_json::Value;

use crate::App;
use crate::backup;
use crate::booking::messages as booking_messages;
use crate::booking::{bookings, units};
use crate::jobs;
use crate::kernel::auth::Actor;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Invoke, authorize, from_json};
use crate::kernel::{audit, settings};
use crate::messaging::{gateway, log, report, templates};
use crate::people::{customers, staff, users, vehicles};
use crate::scheduling::{providers, services, slots};
use crate::sync;

/// The HTTP method of an operation's REST route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// Whether the input comes in a JSON body (else from the query string).
    pub fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// What a successful call answers: `200 OK`, or `201 Created` for a new record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Success {
    Ok,
    Created,
}

/// Sees every operation of the table in turn, with its route.
pub trait Visitor {
    fn op<O: Invoke>(&mut self, method: Method, path: &'static str, success: Success);
}

/// The table: every operation, with its route relative to `/api/v1`.
pub fn visit(v: &mut impl Visitor) {
    use Method::{Delete as DELETE, Get as GET, Post as POST, Put as PUT};
    use Success::{Created as CREATED, Ok as OK};
    v.op::<users::Login>(POST, "/auth/login", OK);
    v.op::<users::Logout>(POST, "/auth/logout", OK);
    v.op::<users::Me>(GET, "/auth/me", OK);
    v.op::<users::ChangePassword>(POST, "/auth/change-password", OK);
    v.op::<users::ListUsers>(GET, "/users", OK);
    v.op::<users::CreateUser>(POST, "/users", CREATED);
    v.op::<users::GetUser>(GET, "/users/{id}", OK);
    v.op::<users::UpdateUser>(PUT, "/users/{id}", OK);
    v.op::<users::DeleteUser>(DELETE, "/users/{id}", OK);
    v.op::<staff::ListStaff>(GET, "/staff", OK);
    v.op::<staff::CreateStaff>(POST, "/staff", CREATED);
    v.op::<staff::GetStaff>(GET, "/staff/{id}", OK);
    v.op::<staff::UpdateStaff>(PUT, "/staff/{id}", OK);
    v.op::<staff::DeleteStaff>(DELETE, "/staff/{id}", OK);
    v.op::<customers::ListCustomers>(GET, "/customers", OK);
    v.op::<customers::CreateCustomer>(POST, "/customers", CREATED);
    v.op::<customers::GetCustomer>(GET, "/customers/{id}", OK);
    v.op::<customers::UpdateCustomer>(PUT, "/customers/{id}", OK);
    v.op::<customers::DeleteCustomer>(DELETE, "/customers/{id}", OK);
    v.op::<units::ListUnits>(GET, "/units", OK);
    v.op::<units::CreateUnit>(POST, "/units", CREATED);
    v.op::<units::GetUnit>(GET, "/units/{id}", OK);
    v.op::<units::UpdateUnit>(PUT, "/units/{id}", OK);
    v.op::<units::DeleteUnit>(DELETE, "/units/{id}", OK);
    v.op::<bookings::ListBookings>(GET, "/bookings", OK);
    v.op::<bookings::CreateBooking>(POST, "/bookings", CREATED);
    v.op::<bookings::RecalculatePriorities>(POST, "/bookings/recalculate", OK);
    v.op::<bookings::ExpireBookings>(POST, "/bookings/expire", OK);
    v.op::<bookings::GetBooking>(GET, "/bookings/{id}", OK);
    v.op::<bookings::UpdateBooking>(PUT, "/bookings/{id}", OK);
    v.op::<bookings::CancelBooking>(DELETE, "/bookings/{id}", OK);
    v.op::<bookings::MoveBooking>(POST, "/bookings/{id}/move", OK);
    v.op::<bookings::BookingSegmentHistory>(GET, "/bookings/{id}/segment-history", OK);
    v.op::<bookings::CustomerBookings>(GET, "/customers/{id}/bookings", OK);
    v.op::<services::ListServices>(GET, "/services", OK);
    v.op::<services::CreateService>(POST, "/services", CREATED);
    v.op::<services::GetService>(GET, "/services/{id}", OK);
    v.op::<services::UpdateService>(PUT, "/services/{id}", OK);
    v.op::<services::DeleteService>(DELETE, "/services/{id}", OK);
    v.op::<providers::ListProviders>(GET, "/providers", OK);
    v.op::<providers::CreateProvider>(POST, "/providers", CREATED);
    v.op::<providers::NearbyProviders>(GET, "/providers/nearby", OK);
    v.op::<providers::GetProvider>(GET, "/providers/{id}", OK);
    v.op::<providers::UpdateProvider>(PUT, "/providers/{id}", OK);
    v.op::<providers::DeleteProvider>(DELETE, "/providers/{id}", OK);
    v.op::<providers::GetWorkingPlan>(GET, "/providers/{id}/working-plan", OK);
    v.op::<providers::SetWorkingPlan>(PUT, "/providers/{id}/working-plan", OK);
    v.op::<slots::ProviderDay>(GET, "/providers/{id}/day", OK);
    v.op::<bookings::ProviderBookings>(GET, "/providers/{id}/bookings", OK);
    v.op::<slots::ListSlots>(GET, "/slots", OK);
    v.op::<slots::CreateSlot>(POST, "/slots", CREATED);
    v.op::<slots::GenerateSlots>(POST, "/slots/generate", OK);
    v.op::<slots::GetSlot>(GET, "/slots/{id}", OK);
    v.op::<slots::UpdateSlot>(PUT, "/slots/{id}", OK);
    v.op::<slots::DeleteSlot>(DELETE, "/slots/{id}", OK);
    v.op::<audit::ListAudit>(GET, "/audit", OK);
    v.op::<settings::GetSettings>(GET, "/settings", OK);
    v.op::<settings::UpdateSettings>(PUT, "/settings", OK);
    v.op::<vehicles::ListVehicles>(GET, "/vehicles", OK);
    v.op::<vehicles::CreateVehicle>(POST, "/vehicles", CREATED);
    v.op::<vehicles::GetVehicle>(GET, "/vehicles/{id}", OK);
    v.op::<vehicles::UpdateVehicle>(PUT, "/vehicles/{id}", OK);
    v.op::<vehicles::DeleteVehicle>(DELETE, "/vehicles/{id}", OK);
    v.op::<templates::ListTemplates>(GET, "/templates", OK);
    v.op::<booking_messages::PreviewTemplate>(POST, "/templates/preview", OK);
    v.op::<templates::GetTemplate>(GET, "/templates/{kind}/{language}", OK);
    v.op::<templates::UpdateTemplate>(PUT, "/templates/{kind}/{language}", OK);
    v.op::<gateway::GetGateway>(GET, "/settings/gateway", OK);
    v.op::<gateway::UpdateGateway>(PUT, "/settings/gateway", OK);
    v.op::<gateway::TestGateway>(POST, "/settings/gateway/test", OK);
    v.op::<log::ListMessages>(GET, "/messages", OK);
    v.op::<log::FlushMessages>(POST, "/messages/flush", OK);
    v.op::<log::DeliveryStatusQuery>(GET, "/messages/status", OK);
    v.op::<log::GetMessage>(GET, "/messages/{id}", OK);
    v.op::<log::ResendMessage>(POST, "/messages/{id}/resend", OK);
    v.op::<log::CancelMessage>(POST, "/messages/{id}/cancel", OK);
    v.op::<backup::GetStatus>(GET, "/status", OK);
    v.op::<backup::GetBackups>(GET, "/backups", OK);
    v.op::<backup::CreateBackup>(POST, "/backups", CREATED);
    v.op::<backup::ConfigureBackups>(PUT, "/backups/schedule", OK);
    v.op::<backup::RestoreBackup>(POST, "/backups/restore", OK);
    v.op::<jobs::ListJobs>(GET, "/jobs", OK);
    v.op::<jobs::RunJob>(POST, "/jobs/{name}/run", OK);
    v.op::<report::ListReport>(GET, "/whatsapp-report", OK);
    v.op::<report::ReportDetails>(GET, "/whatsapp-report/detail", OK);
    v.op::<report::GetReportStatistics>(GET, "/whatsapp-report/statistics", OK);
    v.op::<report::ResetFrequency>(POST, "/whatsapp-report/reset-frequency", OK);
    v.op::<report::CustomerReport>(GET, "/whatsapp-report/customer/{id}", OK);
    v.op::<report::CustomerSubjectReport>(
        GET,
        "/whatsapp-report/customer/{id}/subject/{subject_id}",
        OK,
    );
    v.op::<report::DeleteReport>(DELETE, "/whatsapp-report/{id}", OK);
    v.op::<sync::GetSyncSettings>(GET, "/settings/sync", OK);
    v.op::<sync::UpdateSyncSettings>(PUT, "/settings/sync", OK);
    v.op::<sync::RunSync>(POST, "/sync/run", OK);
    v.op::<sync::GetSyncStatus>(GET, "/sync/status", OK);
    v.op::<sync::ListRejections>(GET, "/sync/rejections", OK);
    v.op::<sync::ResolveRejection>(POST, "/sync/rejections/{seq}/resolve", OK);
}

/// Every operation's name, in table order.
pub fn names() -> Vec<&'static str> {
    struct Names(Vec<&'static str>);
    impl Visitor for Names {
        fn op<O: Invoke>(&mut self, _: Method, _: &'static str, _: Success) {
            self.0.push(O::NAME);
        }
    }
    let mut names = Names(Vec::new());
    visit(&mut names);
    names.0
}

/// Runs the operation called `name` with a JSON input, as `actor`: the
/// Tauri shell's one command and `POST /api/v1/ops/{name}`. The permission
/// is checked before the input is read.
pub fn dispatch(app: &App, actor: &Actor, name: &str, input: Value) -> Result<Value> {
    dispatch_from(app, actor, name, input, None)
}

/// [`dispatch`] for a call that came over the network from `address`.
pub fn dispatch_from(
    app: &App,
    actor: &Actor,
    name: &str,
    input: Value,
    address: Option<IpAddr>,
) -> Result<Value> {
    struct Dispatch<'a> {
        app: &'a App,
        actor: &'a Actor,
        name: &'a str,
        input: Option<Value>,
        address: Option<IpAddr>,
        result: Option<Result<Value>>,
    }
    impl Visitor for Dispatch<'_> {
        fn op<O: Invoke>(&mut self, _: Method, _: &'static str, _: Success) {
            if self.result.is_some() || self.name != O::NAME {
                return;
            }
            let input = self.input.take().unwrap_or(Value::Null);
            self.result = Some((|| {
                let permit = authorize::<O>(self.actor)?;
                let mut input: O = from_json(input)?;
                if let Some(a) = self.address {
                    input.set_address(a);
                }
                Ok(serde_json::to_value(input.invoke(self.app, permit)?)?)
            })());
        }
    }
    let mut d = Dispatch {
        app,
        actor,
        name,
        input: Some(input),
        address,
        result: None,
    };
    visit(&mut d);
    d.result.unwrap_or(Err(Error::NotFound {
        entity: "operation",
    }))
}
