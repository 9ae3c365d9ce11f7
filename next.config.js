/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay outside the bundle and are loaded by Node.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "@prisma/client",
    "redis",
    "@socket.io/redis-adapter",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
