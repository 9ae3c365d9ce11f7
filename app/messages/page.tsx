import { Suspense } from "react";
import { MessageList } from "@/components/message/message-list";

export const metadata = { title: "Messages · Vonage Webhook Console" };

export default function MessagesPage() {
  return (
    <Suspense>
      <MessageList />
    </Suspense>
  );
}
