/**
 * Record shapes the simulator stores and serves, field for field as Atera API v3 sends them (reference §7–§10,
 * atera-fields.json). They are declared here rather than imported from the client's zod schemas on purpose: the
 * simulator is checked against the published field list (shape.test.ts), not against our own client, so the two
 * cannot drift into an agreed-upon invented API.
 *
 * Optional members may be absent from the JSON entirely (real payloads omit them); `null` is a present-but-empty
 * value. Ids and `Monitored` (the only non-nullable AgentDto scalar) are always present.
 */

export interface SimCustomer {
  CustomerID: number;
  CustomerName?: string | null;
  CreatedOn?: string | null;
  LastModified?: string | null;
  BusinessNumber?: string | null;
  Domain?: string | null;
  Address?: string | null;
  City?: string | null;
  State?: string | null;
  Country?: string | null;
  Phone?: string | null;
  Fax?: string | null;
  Notes?: string | null;
  Logo?: string | null;
  Links?: string | null;
  Longitude?: number | null;
  Latitude?: number | null;
  ZipCodeStr?: string | null;
}

export interface SimHardwareDisk {
  Drive: string | null;
  Free: number;
  Used: number;
  Total: number;
}

export interface SimBattery {
  Id: number;
  Name: string | null;
  BatteryHealth: number;
  DesignedCapacity: number;
  FullChargeCapacity: number;
  CycleCount: number;
}

export interface SimAgent {
  MachineID?: string | null;
  AgentID: number;
  DeviceGuid?: string | null;
  FolderID?: number | null;
  FolderName?: string | null;
  CustomerID?: number | null;
  CustomerName?: string | null;
  AgentName?: string | null;
  SystemName?: string | null;
  MachineName?: string | null;
  DomainName?: string | null;
  CurrentLoggedUsers?: string | null;
  ComputerDescription?: string | null;
  Monitored: boolean;
  AgentVersion?: string | null;
  Favorite?: boolean | null;
  ThresholdID?: number | null;
  MonitoredAgentID?: number | null;
  Created?: string | null;
  Modified?: string | null;
  Online?: boolean | null;
  LastSeen?: string | null;
  ReportedFromIP?: string | null;
  AppViewUrl?: string | null;
  Motherboard?: string | null;
  Processor?: string | null;
  Memory?: number | null;
  Display?: string | null;
  Sound?: string | null;
  ProcessorCoresCount?: number | null;
  SystemDrive?: string | null;
  ProcessorClock?: string | null;
  Vendor?: string | null;
  VendorSerialNumber?: string | null;
  VendorBrandModel?: string | null;
  ProductName?: string | null;
  BiosManufacturer?: string | null;
  BiosVersion?: string | null;
  BiosReleaseDate?: string | null;
  MacAddresses?: string[] | null;
  IpAddresses?: string[] | null;
  HardwareDisks?: SimHardwareDisk[] | null;
  BatteryInfo?: SimBattery | null;
  OS?: string | null;
  OSType?: string | null;
  WindowsSerialNumber?: string | null;
  Office?: string | null;
  OfficeSP?: string | null;
  OfficeOEM?: boolean | null;
  OfficeSerialNumber?: string | null;
  OSNum?: number | null;
  LastRebootTime?: string | null;
  OSVersion?: string | null;
  OSBuild?: string | null;
  OfficeFullVersion?: string | null;
  LastLoginUser?: string | null;
  DeviceType?: string | null;
}

export const ALERT_SEVERITIES = ['Information', 'Warning', 'Critical'] as const;
export const ALERT_CATEGORIES = ['Hardware', 'Disk', 'Availability', 'Performance', 'Exchange', 'General'] as const;
export const ALERT_STATUSES = ['Open', 'Resolved', 'Snoozed'] as const;
export type SimSeverity = (typeof ALERT_SEVERITIES)[number];
export type SimCategory = (typeof ALERT_CATEGORIES)[number];
export type SimAlertStatus = (typeof ALERT_STATUSES)[number];

export interface SimAlert {
  AlertID: number;
  Code?: number | null;
  Source?: string | null;
  Title?: string | null;
  Severity?: SimSeverity | null;
  Created?: string | null;
  SnoozedEndDate?: string | null;
  DeviceGuid?: string | null;
  AgentId?: number | null;
  AdditionalInfo?: string | null;
  Archived?: boolean | null;
  AlertCategoryID?: SimCategory | null;
  ArchivedDate?: string | null;
  TicketID?: number | null;
  AlertMessage?: string | null;
  DeviceName?: string | null;
  CustomerID?: number | null;
  CustomerName?: string | null;
  FolderID?: number | null;
  PollingCyclesCount?: number | null;
  DeviceType?: string | null;
}

export interface SimContact {
  EndUserID: number;
  CustomerID?: number | null;
  CustomerName?: string | null;
  Firstname?: string | null;
  Lastname?: string | null;
  JobTitle?: string | null;
  Email?: string | null;
  Phone?: string | null;
  MobilePhone?: string | null;
  IsContactPerson?: boolean | null;
  InIgnoreMode?: boolean | null;
  CreatedOn?: string | null;
  LastModified?: string | null;
  Archived?: boolean | null;
  DepartmentID?: number | null;
  DepartmentName?: string | null;
  DefaultAgentId?: number | null;
}

export interface SimData {
  customers: SimCustomer[];
  agents: SimAgent[];
  alerts: SimAlert[];
  contacts: SimContact[];
}

/** Field names per record, in Atera's order; shape.test.ts checks them against atera-fields.json. */
export const CUSTOMER_FIELDS = [
  'CustomerID',
  'CustomerName',
  'CreatedOn',
  'LastModified',
  'BusinessNumber',
  'Domain',
  'Address',
  'City',
  'State',
  'Country',
  'Phone',
  'Fax',
  'Notes',
  'Logo',
  'Links',
  'Longitude',
  'Latitude',
  'ZipCodeStr',
] as const satisfies readonly (keyof SimCustomer)[];

export const AGENT_FIELDS = [
  'MachineID',
  'AgentID',
  'DeviceGuid',
  'FolderID',
  'FolderName',
  'CustomerID',
  'CustomerName',
  'AgentName',
  'SystemName',
  'MachineName',
  'DomainName',
  'CurrentLoggedUsers',
  'ComputerDescription',
  'Monitored',
  'AgentVersion',
  'Favorite',
  'ThresholdID',
  'MonitoredAgentID',
  'Created',
  'Modified',
  'Online',
  'LastSeen',
  'ReportedFromIP',
  'AppViewUrl',
  'Motherboard',
  'Processor',
  'Memory',
  'Display',
  'Sound',
  'ProcessorCoresCount',
  'SystemDrive',
  'ProcessorClock',
  'Vendor',
  'VendorSerialNumber',
  'VendorBrandModel',
  'ProductName',
  'BiosManufacturer',
  'BiosVersion',
  'BiosReleaseDate',
  'MacAddresses',
  'IpAddresses',
  'HardwareDisks',
  'BatteryInfo',
  'OS',
  'OSType',
  'WindowsSerialNumber',
  'Office',
  'OfficeSP',
  'OfficeOEM',
  'OfficeSerialNumber',
  'OSNum',
  'LastRebootTime',
  'OSVersion',
  'OSBuild',
  'OfficeFullVersion',
  'LastLoginUser',
  'DeviceType',
] as const satisfies readonly (keyof SimAgent)[];

export const ALERT_FIELDS = [
  'AlertID',
  'Code',
  'Source',
  'Title',
  'Severity',
  'Created',
  'SnoozedEndDate',
  'DeviceGuid',
  'AgentId',
  'AdditionalInfo',
  'Archived',
  'AlertCategoryID',
  'ArchivedDate',
  'TicketID',
  'AlertMessage',
  'DeviceName',
  'CustomerID',
  'CustomerName',
  'FolderID',
  'PollingCyclesCount',
  'DeviceType',
] as const satisfies readonly (keyof SimAlert)[];

export const CONTACT_FIELDS = [
  'EndUserID',
  'CustomerID',
  'CustomerName',
  'Firstname',
  'Lastname',
  'JobTitle',
  'Email',
  'Phone',
  'MobilePhone',
  'IsContactPerson',
  'InIgnoreMode',
  'CreatedOn',
  'LastModified',
  'Archived',
  'DepartmentID',
  'DepartmentName',
  'DefaultAgentId',
] as const satisfies readonly (keyof SimContact)[];
