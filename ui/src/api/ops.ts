// Operation names → input/output types, derived from the generated OpenAPI
// types (operationId = the core's operation name). Nothing here is written by
// hand per operation: a new operation in the core appears after `gen:api`.
import type { components, operations } from './schema';

export type OpName = keyof operations;

type NotNever<T> = [T] extends [never] ? unknown : T;
type Params<O> = O extends { parameters: infer P }
  ? NotNever<NonNullable<P extends { query?: infer Q } ? Q : never>> &
      NotNever<NonNullable<P extends { path?: infer Pa } ? Pa : never>>
  : unknown;
// An empty body (`Record<string, never>`, e.g. `messages.resend`) adds nothing
// to the path parameters.
type NoEmpty<B> = string extends keyof B ? ([B[keyof B]] extends [never] ? unknown : B) : B;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? NoEmpty<B>
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? NoEmpty<B>
    : unknown;
type Success<R> = R extends { 200: { content: { 'application/json': infer T } } }
  ? T
  : R extends { 201: { content: { 'application/json': infer T } } }
    ? T
    : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The JSON input of operation `N` (path and query parameters plus the body, as one object). */
export type OpInput<N extends OpName> = Simplify<Params<operations[N]> & Body<operations[N]>>;
/** The JSON output of operation `N`. */
export type OpOutput<N extends OpName> = Success<operations[N]['responses']>;

export type Schemas = components['schemas'];
export type Booking = Schemas['Booking'];
export type BookingStatus = Schemas['BookingStatus'];
export type PaymentStatus = Schemas['PaymentStatus'];
export type PaymentMethod = Schemas['PaymentMethod'];
export type Segment = Schemas['Segment'];
export type Urgency = Schemas['Urgency'];
export type Monetary = Schemas['Monetary'];
export type RiskFlag = Schemas['RiskFlag'];
export type Role = Schemas['Role'];
export type UnitStatus = Schemas['UnitStatus'];
export type SlotStatus = Schemas['SlotStatus'];
export type Slot = Schemas['Slot'];
export type Provider = Schemas['Provider'];
export type WorkDay = Schemas['WorkDay'];
export type User = Schemas['User'];
export type CustomerInput = Schemas['CustomerInput'];
export type CustomerRef = Schemas['CustomerRef'];
export type Gender = Schemas['Gender'];
export type SegmentChange = Schemas['SegmentChange'];
export type Customer = OpOutput<'customers.get'>;
export type Unit = OpOutput<'units.get'>;
export type Service = OpOutput<'services.get'>;
export type Staff = OpOutput<'staff.get'>;
export type Settings = OpOutput<'settings.get'>;
export type AuditEntry = OpOutput<'audit.list'>['data'][number];
export type CreatedBooking = OpOutput<'bookings.create'>;
export type PageMeta = Schemas['PageMeta'];
export type Vehicle = OpOutput<'vehicles.get'>;
export type Message = Schemas['Message'];
export type MessageStatus = Schemas['MessageStatus'];
export type MessageKind = Schemas['MessageKind'];
export type Language = Schemas['Language'];
export type Template = Schemas['Template'];
export type Job = Schemas['Job'];
export type GatewaySettings = OpOutput<'gateway.get'>;
export type ReportDetail = OpOutput<'whatsapp_report.detail'>['data'][number];
export type ReportStatistics = OpOutput<'whatsapp_report.statistics'>;
