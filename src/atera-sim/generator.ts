import { deriveSeed, Rng } from './random.js';
import {
  ALERT_CATEGORIES,
  ALERT_SEVERITIES,
  type SimAgent,
  type SimAlert,
  type SimCategory,
  type SimContact,
  type SimCustomer,
  type SimData,
} from './types.js';

/**
 * Deterministic Atera data from a seed: realistic enough for demos and hostile enough for tests.
 *
 * Same seed + same `now` → byte-identical data. `now` is an input (the simulator passes the start of the current
 * UTC day from its clock) because snoozed alerts must end in the future of the simulator's clock.
 *
 * Hostile on purpose: names with accents, emoji, quotes and SQL; two customers whose names differ only by case
 * and spaces; placeholder serial numbers; null and absent optional fields; every OSType label; re-used machine
 * names and reinstalled devices (same serial, new AgentID, sometimes under another customer — the way agents
 * "move" between customers in Atera); alerts of every severity × category, open, snoozed, expired-snooze and
 * resolved.
 */

export interface GeneratorOptions {
  seed: number;
  customers: number;
  agents: number;
  alerts: number;
  /** Contacts to create; default two per customer. */
  contacts?: number;
  now: Date;
}

/** Id bases chosen so that the four id spaces never overlap (a test mixing them up then fails loudly). */
export const ID_BASE = { customer: 1000, agent: 100_000, alert: 5_000_000, contact: 70_000 } as const;

/** OSType is opaque free text in Atera (reference §8); these are the labels the simulator uses. */
export const OS_TYPES = ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'] as const;

export const PLACEHOLDER_SERIALS = ['To be filled by O.E.M.', 'Default string', '0', 'System Serial Number'] as const;

const SPECIAL_CUSTOMER_NAMES = [
  'Müller & Söhne GmbH',
  'Café Ñandú 🚀 Ltda.',
  'Acme Corp',
  // Differs from the previous name only by case and spacing: name matching must not merge or split them by accident.
  'ACME  corp ',
  'Łódź Żółć Sp. z o.o.',
  'Ærøskøbing Tømrer ApS',
  '"Quoted" <b>Tag</b> & Co; DROP TABLE customers;--',
  '株式会社サンプル',
  "Zoë's Bäckerei 🥐",
  'São João Clínica Médica',
] as const;

const NAME_PREFIX = [
  'Nordwind',
  'Blue Harbor',
  'Alpenglühen',
  'Brightside',
  'Cedar',
  'Delta',
  'Evergreen',
  'Fjällräv',
  'Granite',
  'Harborview',
  'Iberia',
  'Juniper',
  'Kestrel',
  'Lumière',
  'Maple',
  'Northstar',
  'Oakridge',
  'Pinnacle',
  'Quantum',
  'Riverside',
  'Summit',
  'Tidewater',
  'Umbra',
  'Vértice',
  'Westbrook',
  'Xenon',
  'Yellowstone',
  'Zenith',
  'Aurora',
  'Bellwether',
  'Crescent',
  'Driftwood',
  'Eastgate',
  'Foxglove',
  'Greenleaf',
  'Highland',
  'Ironbridge',
  'Jadestone',
  'Kingfisher',
  'Lakeside',
] as const;
const NAME_NOUN = [
  'Dental',
  'Logistics',
  'Legal',
  'Accounting',
  'Architects',
  'Bakery',
  'Clinic',
  'Construction',
  'Consulting',
  'Engineering',
  'Farms',
  'Fitness',
  'Foods',
  'Furniture',
  'Insurance',
  'Labs',
  'Media',
  'Motors',
  'Optics',
  'Pharmacy',
  'Printing',
  'Realty',
  'Robotics',
  'Schools',
  'Software',
  'Studios',
  'Textiles',
  'Travel',
  'Veterinary',
  'Wines',
] as const;
const NAME_SUFFIX = [
  'GmbH',
  'LLC',
  'Ltd',
  'Inc.',
  'S.A.',
  'AB',
  'B.V.',
  'Pty Ltd',
  'S.r.l.',
  'Oy',
  'SAS',
  'AG',
] as const;
const CITIES = [
  ['Zürich', 'ZH', 'Switzerland'],
  ['São Paulo', 'SP', 'Brazil'],
  ['Kraków', null, 'Poland'],
  ['Montréal', 'QC', 'Canada'],
  ['Reykjavík', null, 'Iceland'],
  ['München', 'BY', 'Germany'],
  ['Malmö', null, 'Sweden'],
  ['Austin', 'TX', 'United States'],
  ['Dublin', null, 'Ireland'],
  ['Bogotá', 'DC', 'Colombia'],
  ['Cape Town', 'WC', 'South Africa'],
  ['Tromsø', null, 'Norway'],
] as const;
const FIRST_NAMES = [
  'José',
  'Zoë',
  'Łukasz',
  'Ana',
  'Søren',
  'Chloé',
  'Mike',
  'Priya',
  'Björn',
  'Aoife',
  'Jürgen',
  'Mei',
];
const LAST_NAMES = ['García', 'Müller', "O'Brien", 'Nowak', 'Øberg', 'Dubois', 'Smith', 'Patel', 'Ström', 'Tanaka'];
const asciiLower = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
// Login names as Windows would hold them: "jose.garcia".
const LOGIN_FIRST = FIRST_NAMES.map(asciiLower);
const LOGIN_LAST = LAST_NAMES.map(asciiLower);
const VENDORS = [
  ['Dell Inc.', 'OptiPlex 7090', 'Dell Inc.'],
  ['LENOVO', 'ThinkPad T14 Gen 3', 'LENOVO'],
  ['HP', 'HP EliteBook 840 G8', 'HP'],
  ['Microsoft Corporation', 'Surface Pro 8', 'Microsoft Corporation'],
  ['ASUS', 'System Product Name', 'American Megatrends Inc.'],
  ['VMware, Inc.', 'VMware Virtual Platform', 'Phoenix Technologies LTD'],
  ['Apple Inc.', 'MacBookPro18,3', 'Apple Inc.'],
] as const;
const PROCESSORS = [
  'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz',
  '11th Gen Intel(R) Core(TM) i5-1145G7 @ 2.60GHz',
  'AMD Ryzen 7 PRO 5850U with Radeon Graphics',
  'Intel(R) Xeon(R) Silver 4214R CPU @ 2.40GHz',
  'Apple M1 Pro',
] as const;
const OS_BY_TYPE: Record<(typeof OS_TYPES)[number], readonly (readonly [string, string, string, number])[]> = {
  'Work Station': [
    ['Microsoft Windows 11 Pro', '10.0.22631', '22631', 10],
    ['Microsoft Windows 10 Pro', '10.0.19045', '19045', 10],
  ],
  Server: [
    ['Microsoft Windows Server 2022 Standard', '10.0.20348', '20348', 10],
    ['Microsoft Windows Server 2019 Datacenter', '10.0.17763', '17763', 10],
  ],
  'Domain Controller': [['Microsoft Windows Server 2022 Standard', '10.0.20348', '20348', 10]],
  Mac: [['macOS 14.5 Sonoma', '14.5', '23F79', 14.5]],
  Linux: [['Ubuntu 22.04.4 LTS', '22.04', '5.15.0-105-generic', 22.04]],
};
const ALERT_TITLES: Record<SimCategory, readonly string[]> = {
  Hardware: ['SMART status of disk 0 is bad', 'Hardware failure reported by the vendor agent'],
  Disk: ['Disk C: has less than 5% free space', 'Disk D: usage above 95%'],
  Availability: ['Machine status unknown (agent offline)', 'Service "Spooler" stopped'],
  Performance: ['CPU utilization above 90% for 15 minutes', 'Memory utilization above 95%'],
  Exchange: ['Exchange queue length above 100', 'Exchange Transport service stopped'],
  General: [
    'Pending reboot after Windows updates',
    'Event log: error 7031 (Service Control Manager)',
    'Antivirüs ⚠️ out of date',
  ],
};

const DAY = 86_400_000;

// Small value tables: repeated values share one string, which keeps 100k agents' generation and heap small.
const AGENT_VERSIONS = Array.from({ length: 40 }, (_, i) => `2.${i % 4}.${(i * 7) % 10}.${(i * 37) % 100}`);
const PUBLIC_IPS = Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`);
const CLOCKS = Array.from({ length: 28 }, (_, i) => `${(18 + i) * 100}`);
const BIOS_VERSIONS = Array.from({ length: 60 }, (_, i) => `${1 + (i % 3)}.${(i * 7) % 31}.${i % 10}`);

/**
 * Atera-style timestamp: no offset, usually milliseconds, sometimes none or .NET's 7 digits (reference §5).
 * Drawn per value so that clients must cope with all three forms in one payload.
 */
export function ateraTimestamp(ms: number, rng?: Rng): string {
  const t = Math.floor(ms);
  const day = Math.floor(t / DAY);
  let date = DATE_CACHE.get(day);
  if (date === undefined) {
    // Formatting the date part once per day (instead of toISOString per value) halves generation time.
    date = new Date(day * DAY).toISOString().slice(0, 11);
    if (DATE_CACHE.size > 20_000) DATE_CACHE.clear();
    DATE_CACHE.set(day, date);
  }
  const rest = t - day * DAY;
  const second = Math.floor(rest / 1000);
  let hms = TIME_CACHE[second];
  if (hms === undefined) {
    hms = `${pad2(Math.floor(second / 3600))}:${pad2(Math.floor(second / 60) % 60)}:${pad2(second % 60)}`;
    TIME_CACHE[second] = hms;
  }
  const millis = MILLIS[rest % 1000];
  if (rng) {
    const r = rng.next();
    if (r < 0.08) return date + hms;
    if (r < 0.12) return `${date}${hms}.${millis}${MILLIS[rng.int(0, 999)]}${rng.int(0, 9)}`;
  }
  return `${date}${hms}.${millis}`;
}

const DATE_CACHE = new Map<number, string>();
const TIME_CACHE: string[] = new Array(86_400);
const MILLIS: string[] = Array.from({ length: 1000 }, (_, i) => i.toString().padStart(3, '0'));
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

export function customerNameFor(i: number): string {
  const special = SPECIAL_CUSTOMER_NAMES[i];
  if (special !== undefined) return special;
  const n = i - SPECIAL_CUSTOMER_NAMES.length;
  const p = NAME_PREFIX[n % NAME_PREFIX.length];
  const m = NAME_NOUN[Math.floor(n / NAME_PREFIX.length) % NAME_NOUN.length];
  const combos = NAME_PREFIX.length * NAME_NOUN.length;
  const s = NAME_SUFFIX[Math.floor(n / combos) % NAME_SUFFIX.length];
  const round = Math.floor(n / (combos * NAME_SUFFIX.length));
  return `${p} ${m} ${s}${round > 0 ? ` ${round + 1}` : ''}`;
}

export function generateCustomer(rng: Rng, i: number, now: number): SimCustomer {
  const name = customerNameFor(i);
  const [city, state, country] = rng.pick(CITIES);
  const created = now - rng.int(30, 2000) * DAY - rng.int(0, DAY);
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase()
    .slice(0, 20);
  const c: SimCustomer = {
    CustomerID: ID_BASE.customer + i + 1,
    CustomerName: name,
    CreatedOn: ateraTimestamp(created, rng),
    LastModified: ateraTimestamp(created + rng.int(0, now - created), rng),
    BusinessNumber: rng.chance(0.4) ? `CHE-${rng.int(100, 999)}.${rng.int(100, 999)}.${rng.int(100, 999)}` : null,
    Domain: slug.length > 0 && rng.chance(0.8) ? `${slug || 'customer'}.example` : null,
    Address: rng.chance(0.85)
      ? `${rng.int(1, 250)} ${rng.pick(['Hauptstraße', 'Rua das Flores', 'Main St', 'Rue de la Paix'])}`
      : null,
    City: city,
    State: state,
    Country: country,
    Phone: rng.chance(0.9) ? `+${rng.int(1, 99)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}` : null,
    Fax: rng.chance(0.1) ? `+41 44 ${rng.int(100, 999)} ${rng.int(10, 99)} ${rng.int(10, 99)}` : null,
    Notes: rng.chance(0.3) ? 'Line one\nLine "two" — with a tab\tand ünïcödé' : null,
    Logo: null,
    Links: rng.chance(0.2) ? `https://${slug || 'customer'}.example/portal` : null,
    Longitude: rng.chance(0.7) ? Math.round((rng.next() * 360 - 180) * 1e6) / 1e6 : null,
    Latitude: rng.chance(0.7) ? Math.round((rng.next() * 180 - 90) * 1e6) / 1e6 : null,
    // A string in Atera: leading zeros survive.
    ZipCodeStr: rng.chance(0.9) ? rng.int(0, 99999).toString().padStart(5, '0') : null,
  };
  // Real payloads sometimes omit optional members altogether rather than sending null.
  if (rng.chance(0.1)) {
    delete c.Fax;
    delete c.Logo;
    delete c.Links;
  }
  return c;
}

function machineName(rng: Rng, osType: string, index: number): string {
  switch (osType) {
    case 'Server':
      return `SRV-${rng.pick(['APP', 'SQL', 'FILE', 'RDS', 'WEB'])}${(index % 97).toString().padStart(2, '0')}`;
    case 'Domain Controller':
      return `DC${(index % 9) + 1}`;
    case 'Mac':
      return `MacBook-Pro-de-${rng.pick(FIRST_NAMES)}`;
    case 'Linux':
      return `ubuntu-web-${rng.hex(4)}`;
    default:
      return `${rng.pick(['DESKTOP', 'LAPTOP'])}-${rng.hex(7).toUpperCase()}`;
  }
}

const SERIAL_PREFIX: Record<string, string> = {
  'Dell Inc.': '',
  LENOVO: 'PF',
  HP: '5CG',
  'Microsoft Corporation': '0',
  ASUS: 'SN',
  'VMware, Inc.': 'VMware-56 4d ',
  'Apple Inc.': 'C02',
};

function serialNumber(rng: Rng, vendor: string): string | null {
  const r = rng.next();
  if (r < 0.08) return rng.pick(PLACEHOLDER_SERIALS);
  if (r < 0.1) return null;
  return `${SERIAL_PREFIX[vendor] ?? ''}${rng.hex(vendor === 'Dell Inc.' ? 7 : 8).toUpperCase()}`;
}

function mac(rng: Rng): string {
  const h = rng.hex(12).toUpperCase();
  return `${h.slice(0, 2)}-${h.slice(2, 4)}-${h.slice(4, 6)}-${h.slice(6, 8)}-${h.slice(8, 10)}-${h.slice(10, 12)}`;
}

export function generateAgent(rng: Rng, i: number, customer: SimCustomer, now: number): SimAgent {
  // The first five agents cover every OSType label; after that workstations dominate as in a real MSP.
  const osType =
    i < OS_TYPES.length
      ? OS_TYPES[i]!
      : rng.pick([
          'Work Station',
          'Work Station',
          'Work Station',
          'Work Station',
          'Server',
          'Domain Controller',
          'Mac',
          'Linux',
        ] as const);
  const [os, osVersion, osBuild, osNum] = rng.pick(OS_BY_TYPE[osType]);
  const isWindows = osType !== 'Mac' && osType !== 'Linux';
  const vendor = osType === 'Mac' ? VENDORS[6] : VENDORS[Math.floor(rng.next() * 6)]!;
  const name = machineName(rng, osType, i);
  const created = now - rng.int(1, 1500) * DAY - rng.int(0, DAY);
  const online = rng.chance(0.1) ? null : rng.chance(0.7);
  const lastSeen =
    online === null && rng.chance(0.5)
      ? null
      : now - (online ? rng.int(0, 300_000) : rng.int(1, 90) * DAY + rng.int(0, DAY));
  const laptop = name.startsWith('LAPTOP') || osType === 'Mac';
  const user = `${rng.pick(LOGIN_FIRST)}.${rng.pick(LOGIN_LAST)}`;
  const disks = rng.int(1, 3);
  const hardwareDisks = [];
  for (let d = 0; d < disks; d++) {
    const total = rng.pick([128, 256, 512, 1024, 2048]) * 1024;
    const used = Math.round(total * rng.next() * 100) / 100;
    hardwareDisks.push({
      Drive: isWindows ? `${String.fromCharCode(67 + d)}:` : d === 0 ? '/' : null,
      Free: Math.round((total - used) * 100) / 100,
      Used: used,
      Total: total,
    });
  }
  const agentId = ID_BASE.agent + i + 1;
  const folder = rng.chance(0.6) ? rng.int(1, 3) : 0;
  const a: SimAgent = {
    MachineID: rng.hex(24),
    AgentID: agentId,
    DeviceGuid: rng.uuid(),
    FolderID: folder > 0 ? customer.CustomerID * 10 + folder : null,
    FolderName: folder > 0 ? (['Workstations', 'Servers', 'Büro Zürich'][folder - 1] ?? null) : null,
    CustomerID: customer.CustomerID,
    CustomerName: customer.CustomerName ?? null,
    AgentName: name,
    SystemName: name,
    MachineName: name,
    DomainName: isWindows ? rng.pick(['CONTOSO', 'WORKGROUP', 'corp.local']) : null,
    CurrentLoggedUsers: online ? (isWindows ? `CONTOSO\\${user}` : user) : null,
    ComputerDescription: rng.chance(0.2) ? `Poste de ${rng.pick(FIRST_NAMES)} 🖥️` : null,
    Monitored: rng.chance(0.95),
    AgentVersion: rng.pick(AGENT_VERSIONS),
    Favorite: rng.chance(0.05) ? true : rng.chance(0.5) ? false : null,
    ThresholdID: rng.chance(0.8) ? rng.int(1, 20) : null,
    MonitoredAgentID: rng.chance(0.3) ? agentId : null,
    Created: ateraTimestamp(created, rng),
    Modified: ateraTimestamp(created + rng.int(0, now - created), rng),
    Online: online,
    LastSeen: lastSeen === null ? null : ateraTimestamp(lastSeen, rng),
    ReportedFromIP: rng.pick(PUBLIC_IPS),
    AppViewUrl: `https://app.atera.com/new/rmm/device/${agentId}/agent`,
    Motherboard: rng.chance(0.9) ? `${vendor[0]} ${rng.hex(6).toUpperCase()}` : null,
    Processor: osType === 'Mac' ? 'Apple M1 Pro' : PROCESSORS[Math.floor(rng.next() * 4)]!,
    Memory: rng.pick([4096, 8192, 16384, 32768, 65536]),
    Display: rng.chance(0.7) ? 'Intel(R) UHD Graphics 620' : null,
    Sound: rng.chance(0.6) ? 'Realtek High Definition Audio' : null,
    ProcessorCoresCount: rng.pick([2, 4, 6, 8, 16]),
    SystemDrive: isWindows ? 'C:' : '/',
    ProcessorClock: rng.pick(CLOCKS),
    Vendor: vendor[0],
    VendorSerialNumber: serialNumber(rng, vendor[0]),
    VendorBrandModel: vendor[1],
    ProductName: vendor[1],
    BiosManufacturer: vendor[2],
    BiosVersion: rng.chance(0.9) ? rng.pick(BIOS_VERSIONS) : null,
    BiosReleaseDate: rng.chance(0.85) ? ateraTimestamp(created - rng.int(100, 900) * DAY) : null,
    MacAddresses: rng.chance(0.95) ? Array.from({ length: rng.int(1, 2) }, () => mac(rng)) : null,
    IpAddresses: rng.chance(0.95)
      ? [`10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`, `fe80::${rng.hex(4)}:${rng.hex(4)}`]
      : null,
    HardwareDisks: hardwareDisks,
    BatteryInfo: laptop
      ? {
          Id: 1,
          Name: rng.chance(0.8) ? 'DELL 0FDRT44' : null,
          BatteryHealth: Math.round(rng.next() * 1000) / 10,
          DesignedCapacity: 54000,
          FullChargeCapacity: rng.int(30000, 54000),
          CycleCount: rng.int(0, 900),
        }
      : null,
    OS: os,
    OSType: osType,
    WindowsSerialNumber: isWindows ? `00330-${rng.int(10000, 99999)}-${rng.int(10000, 99999)}-AAOEM` : null,
    Office: isWindows && rng.chance(0.6) ? 'Microsoft 365 Apps for business' : null,
    OfficeSP: null,
    OfficeOEM: isWindows ? rng.chance(0.1) : null,
    OfficeSerialNumber: null,
    OSNum: osNum,
    LastRebootTime: rng.chance(0.9) ? ateraTimestamp(now - rng.int(0, 40) * DAY, rng) : null,
    OSVersion: osVersion,
    OSBuild: osBuild,
    OfficeFullVersion: isWindows && rng.chance(0.6) ? '16.0.17328.20282' : null,
    LastLoginUser: rng.chance(0.8) ? user : null,
    DeviceType: rng.chance(0.85) ? (laptop ? 'Laptop' : osType === 'Work Station' ? 'Desktop' : 'Server') : null,
  };
  if (rng.chance(0.08)) {
    delete a.BatteryInfo;
    delete a.LastLoginUser;
    delete a.DeviceType;
    delete a.FolderName;
  }
  return a;
}

/** A reinstall: same machine and serial number, new AgentID and DeviceGuid, possibly under another customer. */
function reinstallOf(rng: Rng, original: SimAgent, i: number, customer: SimCustomer, now: number): SimAgent {
  const fresh = generateAgent(rng, i, customer, now);
  return {
    ...fresh,
    MachineName: original.MachineName ?? null,
    AgentName: original.AgentName ?? null,
    SystemName: original.SystemName ?? null,
    VendorSerialNumber: original.VendorSerialNumber ?? null,
    Vendor: original.Vendor ?? null,
    VendorBrandModel: original.VendorBrandModel ?? null,
    OS: original.OS ?? null,
    OSType: original.OSType ?? null,
  };
}

export function generateAlert(rng: Rng, i: number, agent: SimAgent, now: number): SimAlert {
  // Index-driven severity × category so that any 18 consecutive alerts cover every combination.
  const severity = ALERT_SEVERITIES[i % 3]!;
  const category = ALERT_CATEGORIES[Math.floor(i / 3) % 6]!;
  const created = now - rng.int(0, 30) * DAY - rng.int(0, DAY);
  const bucket = i % 20;
  const resolved = bucket >= 12 && bucket < 16;
  const snoozed = bucket >= 16 && bucket < 19;
  const snoozeExpired = bucket === 19;
  const title = rng.pick(ALERT_TITLES[category]);
  return {
    AlertID: ID_BASE.alert + i + 1,
    Code: rng.int(1000, 99999),
    Source: rng.pick(['Agent', 'Threshold', 'Monitoring', null]),
    Title: title,
    Severity: severity,
    Created: ateraTimestamp(created, rng),
    // Snoozes end at least 25 h after the start of the generator's day, so they are still running all that day.
    SnoozedEndDate: snoozed
      ? ateraTimestamp(now + 25 * 3_600_000 + rng.int(0, 72) * 3_600_000)
      : snoozeExpired
        ? ateraTimestamp(created + 3_600_000)
        : null,
    DeviceGuid: agent.DeviceGuid ?? null,
    AgentId: agent.AgentID,
    AdditionalInfo: rng.chance(0.5)
      ? `Threshold ${rng.int(80, 99)}% exceeded on ${agent.MachineName} — «${title}»`
      : null,
    Archived: resolved ? true : rng.chance(0.2) ? null : false,
    AlertCategoryID: category,
    ArchivedDate: resolved ? ateraTimestamp(created + rng.int(1, 48) * 3_600_000, rng) : null,
    TicketID: rng.chance(0.1) ? 0 : rng.chance(0.2) ? rng.int(1, 50_000) : null,
    AlertMessage: `${title} on ${agent.MachineName ?? 'unknown device'}`,
    DeviceName: agent.MachineName ?? null,
    CustomerID: agent.CustomerID ?? null,
    CustomerName: agent.CustomerName ?? null,
    FolderID: agent.FolderID ?? null,
    PollingCyclesCount: rng.chance(0.7) ? rng.int(1, 500) : null,
    DeviceType: rng.chance(0.7) ? 'Agent' : null,
  };
}

export function generateContact(rng: Rng, i: number, customer: SimCustomer, now: number): SimContact {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const created = now - rng.int(1, 900) * DAY;
  return {
    EndUserID: ID_BASE.contact + i + 1,
    CustomerID: customer.CustomerID,
    CustomerName: customer.CustomerName ?? null,
    Firstname: first,
    Lastname: rng.chance(0.95) ? last : null,
    JobTitle: rng.chance(0.6) ? rng.pick(['Office Manager', 'CEO', 'Buchhaltung', 'IT Contact']) : null,
    Email: rng.chance(0.9) ? `${asciiLower(first)}.${i}@${customer.Domain ?? 'example.org'}` : null,
    Phone: rng.chance(0.7) ? `+1 555 ${rng.int(1000, 9999)}` : null,
    MobilePhone: rng.chance(0.4) ? `+1 555 ${rng.int(1000, 9999)}` : null,
    IsContactPerson: rng.chance(0.3),
    InIgnoreMode: rng.chance(0.05),
    CreatedOn: ateraTimestamp(created, rng),
    LastModified: ateraTimestamp(created + rng.int(0, now - created), rng),
    Archived: rng.chance(0.05),
    DepartmentID: null,
    DepartmentName: null,
    DefaultAgentId: null,
  };
}

export function generateData(opts: GeneratorOptions): SimData {
  const now = opts.now.getTime();
  // Separate streams per entity: growing one count does not reshuffle the others.
  const rc = new Rng(deriveSeed(opts.seed, 'customers'));
  const ra = new Rng(deriveSeed(opts.seed, 'agents'));
  const rl = new Rng(deriveSeed(opts.seed, 'alerts'));
  const rt = new Rng(deriveSeed(opts.seed, 'contacts'));

  const customers: SimCustomer[] = [];
  for (let i = 0; i < opts.customers; i++) customers.push(generateCustomer(rc, i, now));

  const agents: SimAgent[] = [];
  if (customers.length > 0) {
    // One customer in ten has no agents at all; the rest get a skewed share (a few big, many small).
    const active = Math.max(1, Math.ceil(customers.length * 0.9));
    for (let i = 0; i < opts.agents; i++) {
      const customer = customers[Math.floor(ra.next() ** 1.6 * active)]!;
      const previous = i > 10 && ra.chance(0.01) ? agents[ra.int(0, i - 1)] : undefined;
      agents.push(previous ? reinstallOf(ra, previous, i, customer, now) : generateAgent(ra, i, customer, now));
    }
  }

  const alerts: SimAlert[] = [];
  if (agents.length > 0) {
    for (let i = 0; i < opts.alerts; i++) alerts.push(generateAlert(rl, i, agents[rl.int(0, agents.length - 1)]!, now));
  }

  const contacts: SimContact[] = [];
  const contactCount = opts.contacts ?? customers.length * 2;
  for (let i = 0; i < contactCount && customers.length > 0; i++) {
    contacts.push(generateContact(rt, i, customers[rt.int(0, customers.length - 1)]!, now));
  }
  return { customers, agents, alerts, contacts };
}

/** The simulator's credentials, derived from the seed so that a demo's printed key is reproducible. */
export function generateCredentials(seed: number): { apiKey: string; bearerToken: string } {
  const rng = new Rng(deriveSeed(seed, 'credentials'));
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'RS256', typ: 'JWT' });
  const payload = b64({ iss: 'atera-sim', sub: `account-${seed}`, scope: 'api', jti: rng.hex(16) });
  return { apiKey: rng.hex(32), bearerToken: `${header}.${payload}.${rng.hex(86)}` };
}
