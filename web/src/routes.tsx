import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth/auth';
import { Layout } from './components/Layout';
import { ErrorState, LoadingState } from './components/ui';
import { AssetDetailPage, AssetsPage } from './pages/assets';
import { AssetImportPage } from './pages/atera/AssetImportPage';
import { AteraPage } from './pages/atera/AteraPage';
import { RunPage } from './pages/atera/RunPage';
import { ConfigPage, IntegrationsPage, RequireAdmin } from './pages/config';
import { CustomerDetailPage, CustomersPage } from './pages/customers';
import { NotFoundPage } from './pages/NotFound';
import { OverviewPage } from './pages/Overview';
import { SignInPage } from './pages/SignIn';
import { SimulatorPage } from './pages/Simulator';
import { SiteDetailPage, SitesPage } from './pages/sites';
import { TicketDetailPage, TicketsPage } from './pages/tickets';
import { UserDetailPage, UsersPage } from './pages/users';

function Root() {
  return (
    <AuthProvider>
      <Outlet />
    </AuthProvider>
  );
}

function RequireAuth() {
  const { token, agent, agentLoading, agentError } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  if (agentLoading) return <LoadingState label="Signing in…" />;
  if (agentError || !agent) return <ErrorState error={agentError ?? 'Could not load your account'} />;
  return <Layout />;
}

export const router = createBrowserRouter([
  {
    element: <Root />,
    children: [
      { path: '/signin', element: <SignInPage /> },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <OverviewPage /> },
          { path: 'tickets', element: <TicketsPage /> },
          { path: 'tickets/:id', element: <TicketDetailPage /> },
          { path: 'customers', element: <CustomersPage /> },
          { path: 'customers/:id', element: <CustomerDetailPage /> },
          { path: 'sites', element: <SitesPage /> },
          { path: 'sites/:id', element: <SiteDetailPage /> },
          { path: 'assets', element: <AssetsPage /> },
          { path: 'assets/:id', element: <AssetDetailPage /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'users/:id', element: <UserDetailPage /> },
          { path: 'simulator', element: <SimulatorPage /> },
          {
            path: 'config',
            element: <RequireAdmin />,
            children: [
              { index: true, element: <ConfigPage /> },
              { path: 'integrations', element: <IntegrationsPage /> },
              { path: 'integrations/atera', element: <Navigate to="/config/integrations/atera/connection" replace /> },
              { path: 'integrations/atera/import-assets', element: <AssetImportPage /> },
              { path: 'integrations/atera/runs/:id', element: <RunPage /> },
              { path: 'integrations/atera/:tab', element: <AteraPage /> },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
