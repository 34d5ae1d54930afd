import {
  AppShell,
  Badge,
  Box,
  Burger,
  Button,
  Divider,
  Group,
  NavLink,
  ScrollArea,
  Text,
  ThemeIcon,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAnchor,
  IconBuilding,
  IconDeviceDesktop,
  IconLayoutDashboard,
  IconLogout,
  IconMapPin,
  IconPlayerPlay,
  IconSettings,
  IconTicket,
  IconUsers,
} from '@tabler/icons-react';
import { useEffect } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useDemo } from '../api/queries';
import { useAuth } from '../auth/auth';

const NAV = [
  { to: '/', label: 'Overview', icon: IconLayoutDashboard, exact: true },
  { to: '/tickets', label: 'Tickets', icon: IconTicket },
  { to: '/customers', label: 'Customers', icon: IconBuilding },
  { to: '/sites', label: 'Sites', icon: IconMapPin },
  { to: '/assets', label: 'Assets', icon: IconDeviceDesktop },
  { to: '/users', label: 'Users', icon: IconUsers },
];

export function Logo() {
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size={30} radius="md" variant="filled" color="blue" aria-hidden>
        <IconAnchor size={18} />
      </ThemeIcon>
      <Text fw={700} size="lg" style={{ letterSpacing: -0.3 }}>
        Keel
      </Text>
    </Group>
  );
}

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { agent, isAdmin, signOut } = useAuth();
  const demo = useDemo(Boolean(agent));
  const location = useLocation();

  // biome-ignore lint/correctness/useExhaustiveDependencies: close the phone navigation whenever the page changes.
  useEffect(() => {
    close();
  }, [location.pathname, close]);

  const isActive = (to: string, exact?: boolean) =>
    exact ? location.pathname === to : location.pathname === to || location.pathname.startsWith(`${to}/`);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Link to="/" style={{ textDecoration: 'none', color: 'inherit' }} aria-label="Keel home">
              <Logo />
            </Link>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {agent && (
              <Box visibleFrom="xs" ta="right">
                <Text size="sm" fw={500} lh={1.2} data-testid="signed-in-agent">
                  {agent.name}
                </Text>
                <Text size="xs" c="dimmed" lh={1.2}>
                  {agent.role === 'admin' ? 'Administrator' : 'Technician'}
                </Text>
              </Box>
            )}
            <Button variant="default" size="xs" leftSection={<IconLogout size={14} />} onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={isActive(item.to, item.exact)}
              aria-current={isActive(item.to, item.exact) ? 'page' : undefined}
              style={{ borderRadius: 6 }}
            />
          ))}
          {demo.data?.enabled && (
            <NavLink
              component={Link}
              to="/simulator"
              label="Simulator"
              leftSection={<IconPlayerPlay size={18} stroke={1.6} />}
              rightSection={
                <Badge size="xs" variant="light" color="grape">
                  Demo
                </Badge>
              }
              active={isActive('/simulator')}
              style={{ borderRadius: 6 }}
            />
          )}
          {isAdmin && (
            <>
              <Divider my="sm" />
              <NavLink
                component={Link}
                to="/config"
                label="Configuration"
                leftSection={<IconSettings size={18} stroke={1.6} />}
                active={isActive('/config')}
                aria-current={isActive('/config') ? 'page' : undefined}
                style={{ borderRadius: 6 }}
              />
            </>
          )}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm">
            Keel PSA · Atera RMM integration
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main bg="var(--mantine-color-gray-0)">
        <Box maw={1280} mx="auto">
          <Outlet />
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}
