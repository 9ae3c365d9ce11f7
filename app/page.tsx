export default function Home() {
  return <main>Vonage Webhook Console</main>;
}
