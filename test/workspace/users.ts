// A small file to try Llama Assist on: select a function and ask for a refactor.

export interface User {
  id: number;
  name: string;
  email: string;
}

export function findUser(users: User[], id: number): User | undefined {
  for (let i = 0; i < users.length; i++) {
    if (users[i].id === id) {
      return users[i];
    }
  }
  return undefined;
}
